"""Wire-story lineage: copies of one agency story share a story_id, different stories on the same topic do not."""

from __future__ import annotations

import random
import re
import subprocess
import sys

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.extract.minhash import shingles, signature, similarity
from newscrawl.items import Article
from newscrawl.pipelines.lineage import LineagePipeline, StoryIndex
from newscrawl.spiders.news import NewsSpider

# One agency story (as a wire would file it) and three other stories on the same event, written independently:
# they share names, numbers and one quoted sentence, as real same-topic coverage does.
WIRE = """MUMBAI (Reuters) - The Reserve Bank of India kept its key lending rate unchanged at 6.50% on Friday, as
widely expected, while keeping a close watch on food prices that have pushed retail inflation above its comfort
level for a third straight month.

The six-member monetary policy committee voted five to one to hold the repo rate, Governor Shaktikanta Das said in
a statement broadcast from the central bank's headquarters in Mumbai. One member voted for a cut of 25 basis points.

"Inflation is moderating but the food price shocks are keeping it above the target, and we must remain vigilant,"
Das said, adding that the committee would stay focused on bringing inflation durably down to 4%.

The central bank raised its growth forecast for the fiscal year to 7.2% from 7.0%, citing a pick-up in rural demand,
strong government spending on roads and railways, and a normal monsoon forecast by the weather office.

Economists polled by Reuters last week had unanimously predicted that the central bank would leave rates unchanged,
though a majority expected the first cut to come in October as price pressures ease.

Indian government bond yields fell two basis points after the decision, while the rupee was little changed against
the dollar in morning trade. The benchmark Nifty 50 index rose 0.4% after the announcement.

Retail inflation eased to 4.75% in May from 4.83% in April, but food inflation remained stubbornly high at 8.69%,
driven by vegetables and pulses, data from the statistics ministry showed last week.

The committee also kept its stance of withdrawal of accommodation unchanged, signalling that it was in no hurry to
ease policy even as other central banks in the region have started cutting rates.

(Reporting by Swati Bhat and Nikunj Ohri; Editing by Sonia Cheema)"""

SAME_TOPIC = [
    """The Reserve Bank of India left the repo rate at 6.50% for the eighth consecutive meeting, disappointing a
    section of industry that had lobbied for relief on borrowing costs. Real estate developers said higher home-loan
    rates were hurting sales in the affordable segment, while small businesses complained about the cost of working
    capital. Governor Shaktikanta Das, however, signalled that the central bank wanted to see inflation settle at
    4% before it could think about easing. "Inflation is moderating but the food price shocks are keeping it above
    the target, and we must remain vigilant," he said. Analysts at several brokerages now expect a cut only in the
    December quarter. The decision came as the government prepares its first full budget after the elections, with
    markets watching for signals on fiscal consolidation and capital spending plans.""",
    """Explainer: what the RBI policy means for your EMIs. If you have a floating-rate home loan linked to the repo
    rate, your monthly instalment will not change for now, because the central bank held the rate at 6.50% on
    Friday. Banks had already passed on most of the earlier increases to borrowers, so the total rise since May 2022
    is 250 basis points. Depositors, on the other hand, continue to enjoy fixed-deposit rates of 7% to 7.5% at many
    lenders. Financial planners advise borrowers to consider part-prepayment if they have surplus funds, and savers
    to lock in longer tenures while rates are still high. The next policy review is due in August, when the monetary
    policy committee will again weigh food inflation against the need to support growth in the economy.""",
    """Opposition parties criticised the central bank's decision to keep interest rates unchanged, saying ordinary
    households were being squeezed by high prices of vegetables and pulses. A spokesperson for the Congress party
    said the government had failed to control food inflation and was leaving the Reserve Bank to do the heavy
    lifting. Ruling party leaders countered that growth of more than 7% was the best in the world among large
    economies and that inflation had come down from its peak. Farm unions in Punjab and Maharashtra said they were
    not being paid enough for their produce even though consumers paid more, blaming middlemen and storage losses.
    The debate is likely to continue in the coming session of parliament, where prices will be a key issue.""",
]


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n")]


def light_edit(text: str, seed: int, rate: float = 0.03) -> str:
    """An outlet's copy edit: a few words changed here and there, house style, one sentence reworded."""
    rng = random.Random(seed)
    paragraphs = _paragraphs(text)
    edited = []
    for paragraph in paragraphs:
        words = paragraph.split()
        for i in range(len(words)):
            if rng.random() < rate:
                words[i] = rng.choice(["also", "then", "now", "still", "the", "said"])
        edited.append(" ".join(words).replace("%", " per cent"))
    if len(edited) > 2:
        edited[2] = "Governor Das said inflation was moderating but food prices kept it above the target."
    return "\n\n".join(edited)


def copies() -> dict[str, str]:
    """Bodies as outlets publish them: different datelines, boilerplate, trims; keyed by URL."""
    paragraphs = _paragraphs(WIRE)
    return {
        "https://wire.example/rbi-holds": "\n\n".join(paragraphs),
        "https://daily-a.example/business/rbi-keeps-rates": "Mumbai, June 7 - " + light_edit(WIRE, 1)
        + "\n\nAlso read: Sensex hits record high\n\nFollow us on Twitter and Instagram for more business news.",
        "https://times-b.example/economy/rbi-status-quo": light_edit(WIRE, 2) + "\n\n(With inputs from Reuters)",
        # an outlet that ran only the first five paragraphs, under its own headline
        "https://herald-c.example/markets/repo-unchanged": "\n\n".join(paragraphs[:5]),
    }


def test_copies_share_one_story_and_other_stories_do_not() -> None:
    index = StoryIndex()
    assigned = {url: index.assign(body, url)[0] for url, body in copies().items()}
    for number, text in enumerate(SAME_TOPIC):
        url = f"https://other.example/story-{number}"
        assigned[url] = index.assign(" ".join(text.split()), url)[0]
    wire_id = "https://wire.example/rbi-holds"
    assert {url: sid for url, sid in assigned.items() if url in copies()} == dict.fromkeys(copies(), wire_id)
    for number in range(len(SAME_TOPIC)):
        url = f"https://other.example/story-{number}"
        assert assigned[url] == url, f"a different story on the same topic was merged: {url}"


def test_precision_and_recall_over_all_pairs() -> None:
    """Every pair judged correctly: 4 copies of the wire story, 3 of a second story, 3 same-topic singles."""
    sentences = re.split(r"(?<=\.)\s+", " ".join(SAME_TOPIC[1].split()))
    second = [" ".join(sentences[i:i + 2]) for i in range(0, len(sentences), 2)]
    bodies = {**{url: (body, "wire") for url, body in copies().items()},
              "https://x.example/emi": ("\n\n".join(second), "emi"),
              "https://y.example/emi-copy": (light_edit("\n\n".join(second), 5, rate=0.02), "emi"),
              "https://z.example/emi-short": ("\n\n".join(second[:2]), "emi"),
              **{f"https://s.example/{n}": (" ".join(t.split()), f"single-{n}") for n, t in enumerate(SAME_TOPIC)
                 if n != 1}}
    index = StoryIndex()
    story = {url: index.assign(body, url)[0] for url, (body, _) in bodies.items()}
    urls = list(bodies)
    pairs = [(a, b) for i, a in enumerate(urls) for b in urls[i + 1:]]
    predicted = {(a, b) for a, b in pairs if story[a] == story[b]}
    actual = {(a, b) for a, b in pairs if bodies[a][1] == bodies[b][1]}
    assert predicted == actual


def test_short_bodies_keep_their_own_id() -> None:
    index = StoryIndex()
    assert index.assign("Markets closed.", "https://a.example/1") == ("https://a.example/1", 0.0)
    assert index.assign("Markets closed.", "https://b.example/1")[0] == "https://b.example/1"
    assert len(index) == 0


def test_memory_is_bounded_and_oldest_forgotten_first() -> None:
    index = StoryIndex(max_items=2)
    body = " ".join(WIRE.split())
    index.assign(body, "https://first.example/a")
    index.assign(" ".join(SAME_TOPIC[0].split()), "https://x.example/1")
    index.assign(" ".join(SAME_TOPIC[2].split()), "https://x.example/2")
    assert len(index) == 2
    assert index.assign(body, "https://late.example/a")[0] == "https://late.example/a"  # the first copy was forgotten


def test_signatures_are_the_same_in_another_process() -> None:
    code = ("from newscrawl.extract.minhash import shingles, signature; "
            "print(list(signature(shingles(open(0).read()))))")
    done = subprocess.run([sys.executable, "-c", code], input=WIRE, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str(list(signature(shingles(WIRE))))


def test_similarity_estimate_is_close() -> None:
    a, b = shingles(WIRE), shingles(light_edit(WIRE, 3))
    exact = len(a & b) / len(a | b)
    assert abs(similarity(signature(a), signature(b)) - exact) < 0.15


def _article(url: str, body: str) -> Article:
    return Article(url=url, outlet="example", title="T", body=body)


def test_pipeline_sets_story_id_and_counts_copies() -> None:
    crawler = get_crawler(NewsSpider, settings_dict={})
    crawler.stats.open_spider()
    pipeline = LineagePipeline.from_crawler(crawler)
    items = [pipeline.process_item(_article(url, body)) for url, body in copies().items()]
    assert {item.story_id for item in items} == {"https://wire.example/rbi-holds"}
    assert crawler.stats.get_value("newscrawl/lineage/copies") == 3


def test_pipeline_switches_off() -> None:
    with pytest.raises(NotConfigured):
        LineagePipeline.from_crawler(get_crawler(NewsSpider, settings_dict={"NEWSCRAWL_LINEAGE_ENABLED": False}))
