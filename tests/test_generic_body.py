"""GenericParser body rules, one realistic full page each (header, menu, footer and the rest of a real template):
stories split across boxes, layout-named boxes, figures, <noscript> pages, and the article-or-listing judgement.

Each page was written for the rule it tests (no page of a benchmark is copied here); each test fails without its
rule (see the commit that brought the rule)."""

from __future__ import annotations

import json
import logging

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newscrawl.items import Article
from newscrawl.parsers.generic import GenericParser
from newscrawl.spiders.news import NewsSpider

MENU = ('<nav class="main-nav"><ul><li><a href="/">Home</a></li><li><a href="/news/">News</a></li>'
        '<li><a href="/region/">Region</a></li><li><a href="/sport/">Sport</a></li>'
        '<li><a href="/culture/">Culture</a></li><li><a href="/contact/">Contact</a></li></ul></nav>')
FOOTER = ('<footer class="site-footer"><p>© 2024 Valley Courier Media · <a href="/imprint/">Imprint</a> · '
          '<a href="/privacy/">Privacy</a></p></footer>')


def html_page(title: str, body: str, head: str = "", lang: str = "en") -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | Valley Courier</title>'
            f'{head}</head><body><div class="site"><header class="site-header"><a class="logo" href="/">Valley '
            f'Courier</a>{MENU}</header>{body}{FOOTER}</div></body></html>')


def parse(html: str, url: str) -> Article | None:
    return GenericParser.from_html(html.encode(), url).parse()


# ---- text outside the body's own box -----------------------------------------------------------------------------
def test_standfirst_and_lead_in_a_header_box_before_the_body_are_kept() -> None:
    """Templates put the standfirst and the first paragraph in an intro box of the article header, and the rest of
    the story in a body box of its own: the lead sits between the headline and the body, outside the container the
    body's text elects. The byline, date stamp and breadcrumbs in that header stay out."""
    body = """
<main class="content"><article class="story">
  <div class="story-top">
    <div class="breadcrumbs"><a href="/">Home</a> › <a href="/region/">Region</a> › <a href="/region/transport/">Transport</a></div>
    <h1 class="story-headline">Night buses return to the valley after two years</h1>
    <div class="story-intro">
      <p class="standfirst">The council restores three night lines from May, paid for by a new parking levy in the town centre.</p>
      <p class="stamp">By <a href="/authors/anna-berger">Anna Berger</a> · 12 March 2024, 08:15</p>
      <p>MILLBROOK – For the first time since the service was cut to save money, passengers will again be able to
      take a bus home after midnight. The transport committee approved the plan on Tuesday by nine votes to two.</p>
    </div>
  </div>
  <figure class="lead-image"><img src="/img/night-bus.jpg" alt=""><figcaption>A night bus at Millbrook station.
  Photo: V. Courier</figcaption></figure>
  <div class="story-body">
    <p>The three lines will run on Friday and Saturday nights between Millbrook, Eastfield and the university
    campus, with a bus every forty minutes until four in the morning. Fares will be the same as during the day.</p>
    <p>Students had collected more than 3,000 signatures for the return of the night service last autumn. Many of
    them work late shifts in bars and restaurants and said that taxis had become too expensive for them.</p>
    <h2>Who pays for it</h2>
    <p>The service will cost about 410,000 euros a year. Most of it is to be paid from the new parking levy, which
    raises the price of an hour in the town-centre car parks by thirty cents from April onwards.</p>
    <p>The opposition criticised the levy as a burden on shop owners. "We support night buses, but not by
    driving customers out of the town centre," a spokesman said after the vote.</p>
    <p>The council will review the lines after one year and decide whether to add a fourth route to the
    industrial estate in the north, where several companies run night shifts.</p>
    <h2>Drivers wanted</h2>
    <p>The bus company still needs eight drivers for the night shifts. It is offering a bonus of 1,500 euros to
    anyone who signs a contract before the end of April and will pay for the licence of trainees.</p>
    <p>Trade unions welcomed the plan but warned that night work must not come on top of full day rosters. The
    company said that drivers on the night lines would work four nights a week at most.</p>
    <h2>Taxis and ride sharing</h2>
    <p>Taxi firms in Millbrook fear losing their best hours of the week. The town's largest operator said that
    Friday and Saturday nights bring in almost half of its turnover and that it might have to cut its fleet.</p>
    <p>The council pointed out that the night buses only serve three corridors. Outlying villages will still rely
    on taxis and on the shared ride service that the county launched last year for places without a bus stop.</p>
    <p>The first night buses will leave the central station at 00:20 on the first Friday of May. Timetables will be
    posted at all stops in April and can already be found on the website of the transport association.</p>
  </div>
</article></main>"""
    article = parse(html_page("Night buses return to the valley after two years", body),
                    "https://valley-courier.example/region/transport/night-buses-return-after-two-years")
    assert article is not None
    assert "For the first time since the service was cut" in article.body
    assert "The council restores three night lines" in article.body  # the standfirst, above the linked byline
    assert article.body.index("For the first time") < article.body.index("The three lines will run")
    assert "By Anna Berger" not in article.body and "12 March 2024" not in article.body
    assert "Transport" not in article.body.split("\n")[0] and "Photo: V. Courier" not in article.body


def test_the_story_in_layout_boxes_named_widget_and_header_is_kept() -> None:
    """Page builders name the boxes of the story itself "widget" or "header"; they hold paragraphs of prose, so
    they are the story (a newsletter widget without prose is still pruned). A subheading whose id is an anchor made
    from its text ("what-comes-next") is no "next" link."""
    body = """
<div class="page-builder">
  <section class="builder-section"><div class="builder-column">
    <div class="builder-widget builder-widget-heading"><h1 class="entry-title">Repair café doubles its opening hours</h1></div>
    <div class="builder-widget builder-widget-text"><div class="builder-widget-container">
      <p>The repair café in the old fire station will open every Saturday from next month instead of once a
      fortnight. Volunteers fixed almost 900 items last year, from toasters and lamps to bicycles and jeans.</p>
    </div></div>
    <div class="builder-widget builder-widget-text"><div class="builder-widget-container">
      <p>"People bring things they would have thrown away, and most of them go home working again," says Marta
      Lindqvist, who founded the café five years ago with two retired electricians from the neighbourhood.</p>
      <p>Electrical items are the most common repairs, followed by clothes and furniture. Visitors pay nothing
      but are asked for a small donation towards spare parts, tools and the rent of the room.</p>
      <h2 id="what-comes-next">What comes next for the volunteers</h2>
      <p>The café is looking for more volunteers who can sew or repair electronics. A training evening for
      newcomers will take place on the first Thursday of the month in the community centre on Mill Road.</p>
    </div></div>
    <div class="builder-widget newsletter-widget"><div class="builder-widget-container">
      <h3>Our newsletter</h3><p>Sign up for news from your town.</p>
      <form><input type="email"><button>Sign up</button></form>
    </div></div>
  </div></section>
</div>"""
    article = parse(html_page("Repair café doubles its opening hours", body),
                    "https://valley-courier.example/town/repair-cafe-doubles-opening-hours")
    assert article is not None
    assert "People bring things they would have thrown away" in article.body
    assert "What comes next for the volunteers" in article.body and "A training evening" in article.body
    assert "Our newsletter" not in article.body and "Sign up for news" not in article.body


def test_the_lead_is_found_below_a_headline_that_is_no_h1() -> None:
    """Many templates set the headline as <h2> or a styled <div>: the page's title tells which block it is, and the
    lead between it and the body box is kept as under an <h1>."""
    paragraphs = "".join(f"<p>{text}</p>" for text in [
        "The vote on the agreement had been planned for Saturday afternoon, the first Saturday sitting of the house "
        "in almost forty years. Instead, members backed an amendment that withholds approval until the law that "
        "puts the agreement into effect has been passed.",
        "The government said it would bring that law to the house next week and still hoped to meet the deadline at "
        "the end of the month. Opposition leaders called the result a clear defeat for the prime minister.",
        "Under a law passed in September, the prime minister was obliged to ask for a delay by the end of the day if "
        "no agreement had been approved. A letter to that effect was sent late in the evening, officials said.",
        "Thousands of people marched through the capital during the debate to call for a second referendum. The "
        "police estimated the crowd at several hundred thousand, the organisers spoke of a million.",
        "Business groups said the uncertainty was hurting investment and asked both sides to settle the matter "
        "quickly. The currency fell slightly in early trading in Asia on Monday morning.",
        "Members of the governing party who had voted for the amendment said they supported the agreement itself "
        "but wanted a guarantee that the country could not leave without a deal by accident.",
    ])
    body = f"""
<main class="main"><div class="article">
  <div class="article-head">
    <span class="kicker">Day of the vote</span>
    <h2 class="article-heading">Parliament delays its vote on the deal</h2>
    <div class="article-date">19 October 2019, 16:14</div>
    <p class="intro">A heavy setback for the prime minister: he must ask for a delay after members postponed their
    decision on the agreement until the laws to carry it out have been passed.</p>
  </div>
  <div class="share-bar"><a href="https://social.example/share">Share</a> <a href="mailto:?">E-mail</a></div>
  <div class="article-text">{paragraphs}</div>
</div></main>"""
    head = '<meta property="og:title" content="Parliament delays its vote on the deal">'
    article = parse(html_page("Parliament delays its vote on the deal", body, head),
                    "https://valley-courier.example/world/parliament-delays-vote-on-the-deal")
    assert article is not None and article.title == "Parliament delays its vote on the deal"
    assert "A heavy setback for the prime minister" in article.body
    assert "19 October 2019" not in article.body and "Share" not in article.body


def test_a_short_post_is_not_replaced_by_the_longer_author_box() -> None:
    """A short post sends the extractor to its permissive pass, which also reads boxes named like furniture; the
    author box it finds in the left-hand sidebar is longer than the post, but it is not the post: a fallback result replaces the
    precise one only when it keeps that or is many times longer."""
    body = """
<div id="page"><div id="main">
<div id="secondary" class="widget-area">
    <div class="widget author-info"><div class="author-description"><h2>About Tom Keller</h2>
      <p>Tom Keller runs the podcast and a small consultancy for knowledge management. He trained as an electrical
      engineer and spent ten years in software projects before he turned to how organisations learn. He writes about
      communities of practice, working out loud and the tools that help teams share what they know with each other.</p>
    </div></div>
    <div class="widget"><h2>Archive</h2><ul><li><a href="/2019/12/">December 2019</a></li>
    <li><a href="/2019/11/">November 2019</a></li></ul></div>
</div>
<div id="content">
  <article class="post type-post">
    <h1 class="entry-title">Episode 39: live from the knowledge camp</h1>
    <div class="entry-meta">Posted on <a href="/2019/12/17/">17 December 2019</a></div>
    <div class="entry-content">
      <p>At this year's knowledge camp we recorded an episode on stage: four participants tell us what they took
      home from two days of sessions on learning at work, and what they will try first on Monday.</p>
    </div>
  </article>
</div>
</div></div>"""
    article = parse(html_page("Episode 39: live from the knowledge camp", body, '<meta property="og:type" '
                              'content="article">'), "https://podcast.example/2019/12/17/episode-39-live/")
    assert article is not None
    assert "we recorded an episode on stage" in article.body and "Tom Keller runs" not in article.body


def test_german_end_of_story_furniture_is_cut() -> None:
    """End markers and furniture lines are page vocabulary, in every language the crawler meets: a German blog post
    ends at "Über den Autor" / "Auch interessant", and "Gefällt mir" or "Kommentieren" are buttons, not text."""
    body = """
<main id="main"><article class="beitrag">
  <h1>Wurmkiste auf dem Balkon: so gelingt der Kompost in der Stadt</h1>
  <div class="beitrag-inhalt">
    <p>Wer keinen Garten hat, muss auf eigenen Kompost nicht verzichten. Eine Wurmkiste passt auf jeden Balkon und
    sogar in die Küche: Kompostwürmer verwandeln Gemüsereste in wenigen Wochen in nährstoffreiche Erde.</p>
    <p>Die Kiste braucht einen Deckel, Luftlöcher und eine Schicht aus feuchtem Zeitungspapier. Darauf kommen die
    Würmer, die man im Fachhandel oder bei anderen Wurmkistenbesitzern bekommt, und dann die ersten Küchenabfälle.</p>
    <p>Zitrusschalen, Zwiebeln und gekochte Essensreste gehören nicht hinein, ebenso wenig Fleisch. Wer die Würmer
    nicht überfüttert, hat mit Gerüchen keine Probleme, und nach drei Monaten lässt sich die erste Erde ernten.</p>
    <p>Gefällt mir</p>
    <p>Kommentieren</p>
    <h3>Über den Autor</h3>
    <p>Jonas Weber schreibt seit zehn Jahren über Gärtnern in der Stadt und betreibt selbst drei Wurmkisten auf einem
    Balkon in Leipzig, auf dem außerdem Tomaten, Bohnen und Kräuter wachsen.</p>
    <h3>Auch interessant</h3>
    <p>Hochbeet aus Paletten bauen: Eine Anleitung in sechs Schritten, mit Materialliste und den Kosten im Überblick
    für alle, die im Frühjahr anfangen wollen.</p>
  </div>
</article></main>"""
    article = parse(html_page("Wurmkiste auf dem Balkon: so gelingt der Kompost in der Stadt", body, lang="de"),
                    "https://garten-stadt.example/kompost/wurmkiste-auf-dem-balkon")
    assert article is not None and "nach drei Monaten lässt sich die erste Erde ernten" in article.body
    for furniture in ("Gefällt mir", "Kommentieren", "Über den Autor", "Jonas Weber", "Hochbeet aus Paletten"):
        assert furniture not in article.body


def test_a_paragraph_the_pages_own_article_body_confirms_is_kept_outside_the_container() -> None:
    """The page's JSON-LD articleBody is a second witness: a paragraph of it that the template put in a box of its
    own, after a row of related links, is the story's although the container choice left it out."""
    paragraphs = [
        "The district will open two new primary schools next autumn, one in the growing northern quarter and one "
        "on the site of the former dairy, the education committee decided on Wednesday evening.",
        "Both schools will start with four classes and grow by one year group at a time. The northern school is "
        "built of timber and will be the first in the district to produce more energy than it uses.",
        "Parents in the northern quarter had complained for years that their children had to take two buses to "
        "reach the nearest school. The new building is a ten-minute walk from most of the new housing.",
        "The former dairy site will also get a sports hall that clubs can use in the evenings and at weekends. "
        "The committee approved 1.2 million euros for it on top of the cost of the school itself.",
        "Construction of both schools is to begin in March. The district has asked the state for a grant that "
        "would cover about a third of the total cost of 31 million euros.",
        "Opposition members supported the plans but asked for a bus link to the dairy site before it opens.",
    ]
    article_body = " ".join(paragraphs)
    body = f"""
<main><article class="story">
  <h1>Two new primary schools to open next autumn</h1>
  <div class="story-text">{"".join(f"<p>{text}</p>" for text in paragraphs[:5])}</div>
  <div class="story-links"><h3>In this story</h3><ul><li><a href="/education/">Education</a></li>
  <li><a href="/district-council/">District council</a></li></ul></div>
  <div class="story-coda"><p>{paragraphs[5]}</p></div>
</article></main>"""
    head = ld_script({"@context": "https://schema.org", "@type": "NewsArticle",
                      "headline": "Two new primary schools to open next autumn", "articleBody": article_body})
    article = parse(html_page("Two new primary schools to open next autumn", body, head),
                    "https://valley-courier.example/education/two-new-primary-schools-next-autumn")
    assert article is not None and "Construction of both schools" in article.body
    assert "asked for a bus link to the dairy site" in article.body and "District council" not in article.body


def ld_script(data: dict[str, object]) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# ---- figures and <noscript> ----------------------------------------------------------------------------------------
def test_a_table_set_in_a_figure_keeps_its_rows_and_drops_its_caption() -> None:
    """HTML sets data tables (and quotes) in <figure>: their rows are the article's, only the caption is not."""
    body = """
<main><article class="post">
  <h1>What a heat pump costs to run in winter</h1>
  <div class="post-content">
    <p>Heat pumps use electricity to move warmth from the outside air into the house. How much that costs depends
    on the insulation of the building, the flow temperature of the radiators and the price of electricity.</p>
    <p>We asked three households in the valley to note their meter readings from November to February. All three
    have an air-source heat pump that was installed in the last four years by local firms.</p>
    <figure class="wp-block-table"><table><thead><tr><th>Household</th><th>Living space</th><th>Electricity used</th><th>Cost</th></tr></thead>
    <tbody><tr><td>Terraced house, 1978</td><td>110 m²</td><td>2,140 kWh</td><td>620 euros</td></tr>
    <tr><td>Detached house, 2015</td><td>160 m²</td><td>1,890 kWh</td><td>548 euros</td></tr>
    <tr><td>Farmhouse, renovated 2019</td><td>210 m²</td><td>3,960 kWh</td><td>1,148 euros</td></tr></tbody></table>
    <figcaption>Source: meter readings of the households, November to February. Graphic: Valley Courier</figcaption></figure>
    <p>The farmhouse uses the most electricity, mainly because its old radiators need a high flow temperature.
    The owners plan to replace two of them with larger models next summer to bring the cost down.</p>
  </div>
</article></main>"""
    article = parse(html_page("What a heat pump costs to run in winter", body),
                    "https://valley-courier.example/energy/heat-pump-costs-in-winter")
    assert article is not None
    assert "Terraced house, 1978 | 110 m² | 2,140 kWh | 620 euros" in article.body
    assert "Source: meter readings" not in article.body


def test_slide_texts_set_in_caption_outside_a_table_are_text() -> None:
    """Slideshow templates set each slide's text in a <caption> with no table around it: a caption of nothing,
    read as text (a real table's caption is still dropped)."""
    slides = [
        "The new phone is not what you would expect from a successor: it keeps the small body of the old model and "
        "puts the processor of the flagship inside it, at less than half the flagship's price.",
        "All of this, together with a better camera, comes at a price that undercuts most mid-range phones, which "
        "makes it the cheapest way into the maker's range of devices this year.",
        "The small screen is the one real compromise. Anyone who watches films on the phone will find it cramped, "
        "but for calls, messages and photos it is perfectly adequate.",
        "Battery life is the other question mark: in our first tests the phone lasted a full day of normal use, "
        "but heavy gaming drained it by the middle of the afternoon.",
    ]
    body = ('<main><section class="slideshow"><h1>The small phone is back: all we know</h1>'
            + "".join(f'<section class="slide"><img src="/img/slide-{n}.jpg" alt=""><caption>{text}</caption>'
                      f"</section>" for n, text in enumerate(slides))
            + "<table><caption>Prices at launch</caption><tr><td>64 GB</td><td>42,900</td></tr></table>"
            + "</section></main>")
    article = parse(html_page("The small phone is back: all we know", body),
                    "https://valley-courier.example/tech/slideshow/the-small-phone-is-back-76280131")
    assert article is not None
    assert "it keeps the small body of the old model" in article.body and "Battery life is" in article.body
    assert "Prices at launch" not in article.body


def test_a_page_whose_content_is_in_noscript_is_read() -> None:
    """Some sites serve an empty shell that a script fills, and the whole page inside <noscript> for readers
    without JavaScript: when nothing else holds text, the <noscript> copy is the page."""
    story = """
<div id="container"><div class="top"><a href="/">Regional Park Authority</a></div>
  <div id="main-column"><h1>Bear census: a record year for the park</h1>
    <div id="text">
      <p>The autumn census counted 63 bears in the park and the surrounding protected areas, the highest number
      since systematic counts began. Rangers and volunteers covered 120 observation points on two days.</p>
      <p>Among the animals seen were eleven females with a total of twenty cubs. Researchers see this as a sign that
      the population is recovering after the losses of the previous decade, when several bears died on roads.</p>
      <p>The park authority now wants to extend the speed limits on the mountain roads and to fit more rubbish
      bins in the villages with locks that bears cannot open, so that the animals do not get used to humans.</p>
    </div></div>
  <div class="contacts">Tel. 0123/456789 – info@park.example</div></div>"""
    html = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Bear census: a record year for the '
            'park</title><script src="/app.js"></script></head><body><div id="app"></div>'
            f'<noscript>{story}</noscript></body></html>')
    article = parse(html, "https://park.example/detail.php?id=58120")
    assert article is not None
    assert "The autumn census counted 63 bears" in article.body and "locks that bears cannot open" in article.body


def test_ruby_readings_are_not_read_into_the_text() -> None:
    """Easy-Japanese news prints the reading of each kanji above it in <ruby><rt>; the reading is a reading aid, the
    sentence is the base text."""
    def ruby(base: str, reading: str) -> str:
        return f"<ruby>{base}<rt>{reading}</rt></ruby>"
    sentences = [
        f"{ruby('新', 'あたら')}しい{ruby('法律', 'ほうりつ')}ができて、{ruby('親', 'おや')}が{ruby('子', 'こ')}どもを"
        f"たたくことは{ruby('禁止', 'きんし')}になりました。",
        f"{ruby('国', 'くに')}は、{ruby('子', 'こ')}どもを{ruby('育', 'そだ')}てる{ruby('親', 'おや')}を{ruby('助', 'たす')}ける"
        f"{ruby('相談', 'そうだん')}の{ruby('場所', 'ばしょ')}を{ruby('増', 'ふ')}やすと{ruby('言', 'い')}っています。",
        f"{ruby('専門家', 'せんもんか')}は、{ruby('体罰', 'たいばつ')}をしないで{ruby('子', 'こ')}どもを{ruby('教', 'おし')}える"
        f"{ruby('方法', 'ほうほう')}を{ruby('親', 'おや')}に{ruby('伝', 'つた')}えることが{ruby('大切', 'たいせつ')}だと"
        f"{ruby('話', 'はな')}しています。{ruby('新', 'あたら')}しい{ruby('法律', 'ほうりつ')}は{ruby('来年', 'らいねん')}の"
        f"4{ruby('月', 'がつ')}から{ruby('始', 'はじ')}まります。",
    ]
    body = ('<main><article class="article-main"><h1>子どもへの体罰を禁止する法律ができる</h1><div class="article-body">'
            + "".join(f"<p>{sentence}</p>" for sentence in sentences * 3) + "</div></article></main>")
    article = parse(html_page("子どもへの体罰を禁止する法律ができる", body, lang="ja"),
                    "https://easy-news.example/news/k10011955831000.html")
    assert article is not None
    assert "新しい法律ができて、親が子どもをたたくことは禁止になりました。" in article.body
    assert "あたら" not in article.body


def test_soft_hyphens_inside_words_are_dropped() -> None:
    """Typeset pages put a soft hyphen (&shy;) in every long word so browsers may break it; readers never see it,
    and left in, it splits each word for search and comparison."""
    text = ("Les cher&shy;cheurs dénoncent une bureau&shy;cratie de l’éva&shy;lua&shy;tion qui prend le pas sur la "
            "recherche elle-même, et demandent que les moyens reviennent aux labo&shy;ra&shy;toires.")
    body = ('<main><article class="post"><h1>Évaluation de la recherche : la colère des chercheurs</h1>'
            '<div class="entry-content">' + "".join(f"<p>{text} Paragraphe {n}.</p>" for n in range(4))
            + "</div></article></main>")
    article = parse(html_page("Évaluation de la recherche : la colère des chercheurs", body, lang="fr"),
                    "https://sciences.example/2020/01/evaluation-de-la-recherche-colere")
    assert article is not None and "\u00ad" not in article.body
    assert "une bureaucratie de l’évaluation" in article.body


# ---- article or listing --------------------------------------------------------------------------------------------
TEASERS = "".join(
    f'<div class="teaser"><h3><a href="/news/{slug}">{headline}</a></h3><p>{dek}</p></div>'
    for slug, headline, dek in [
        ("annual-report-2023", "Annual report 2023 now available",
         "Our figures, projects and campaigns of the past year, with the accounts checked by the auditors."),
        ("new-board-elected", "A new board elected at the general meeting",
         "Four members were re-elected and one joins the board for the first time; the treasurer steps down."),
        ("summer-camp-registration", "Registration for the summer camp is open",
         "There are places for 120 children aged eight to twelve; the camp takes place in the second week of July."),
        ("volunteer-award", "Volunteer award goes to the food bank team",
         "For ten years the team has collected food from supermarkets every week and shared it out in the valley."),
        ("river-clean-up", "Record turnout at the river clean-up day",
         "More than 300 helpers cleared the banks of the river between the old mill and the railway bridge."),
        ("new-office-hours", "New office hours from September",
         "The office opens on Mondays again, and advice on the telephone is available on Wednesday evenings."),
        ("youth-council", "Youth council meets the mayor",
         "The young people brought three proposals for the town centre, among them a covered place to meet."),
        ("grant-programme", "Small grants for neighbourhood projects",
         "Groups can apply for up to 2,000 euros for projects in their street; applications close in June."),
    ])


def test_a_page_with_its_own_text_and_a_row_of_news_teasers_is_an_article() -> None:
    """An association's page: content blocks set as <article> elements (as CMSs do) and a column of linked news
    headlines. The text we extract stands outside every teaser card, so the page is no listing."""
    body = f"""
<div class="columns"><main class="main-column">
  <h1>Our work against air pollution</h1>
  <article class="content-element"><p>Fine dust and nitrogen dioxide from traffic and heating are the biggest
  problems for air quality in our towns. Since 2015 we have measured both at twelve points across the valley.</p></article>
  <article class="content-element"><p>Millions of people drive to work every day, and many of them could take the
  train or the bicycle if the connections were better. We campaign for safe cycle routes and more trains.</p></article>
  <article class="content-element"><p>Our measurements are public: every month we publish the figures of all
  twelve stations, together with the weather data, so that anyone can compare them with the legal limits.</p></article>
  <article class="content-element"><p>Schools can book our mobile measuring station for a project week. Pupils
  learn how the devices work and take measurements in front of their own school at different times of day.</p></article>
</main>
<div class="news-column"><h2>News</h2>{TEASERS}</div></div>"""
    html = html_page("Our work against air pollution", body)
    parser = GenericParser.from_html(html.encode(), "https://clean-air.example/topics/air-pollution/")
    article = parser.parse()
    assert article is not None, parser.not_article_reason
    assert "Millions of people drive to work every day" in article.body


def test_a_section_page_of_teasers_is_no_article_and_says_why() -> None:
    body = f'<main><h1>News</h1><div class="news-list">{TEASERS}</div><p class="pager"><a href="?page=2">Next</a></p></main>'
    parser = GenericParser.from_html(html_page("News", body).encode(), "https://clean-air.example/news/")
    assert parser.parse() is None and parser.not_article_reason == "listing_cards"
    home = GenericParser.from_html(html_page("Home", body).encode(), "https://clean-air.example/")
    assert home.parse() is None and home.not_article_reason == "home_page"


def test_a_figure_left_open_around_the_story_is_no_caption() -> None:
    """A <figure> whose closing tag is missing swallows the rest of the story; text of that size is no caption."""
    body = """
<main><article class="post"><h1>Fewer swifts nest under the old roofs</h1>
  <div class="post-content">
    <p>Bird watchers counted 214 swift nests in the old town this summer, a third fewer than ten years ago. Most of
    the lost nests were under roofs that have been renovated since then, often without any gap left open.</p>
    <figure class="wide-image"><div class="image-wrap"><img src="/img/swifts.jpg" alt="Swifts over the church">
    <p class="credit">Photo: M. Keller</p></div>
    <p>Swifts spend almost their whole life in the air and only land to breed. They return to the same nest every
    year, and when it is gone many of them do not find a new place before the short breeding season is over.</p>
    <p>The town now offers owners free nest boxes that can be built into the eaves during a renovation. Forty
    boxes were fitted last year, and the first pairs were seen using them in June.</p>
    <p>The bird watchers ask everyone who plans work on a roof to call the nature conservation office first, so that
    the work can start after the birds have left for Africa at the beginning of August.</p>
  </div>
</article></main>"""
    article = parse(html_page("Fewer swifts nest under the old roofs", body),
                    "https://valley-courier.example/nature/fewer-swifts-nest-under-old-roofs")
    assert article is not None
    assert "Swifts spend almost their whole life in the air" in article.body
    assert "call the nature conservation office first" in article.body


def test_the_spider_counts_and_logs_each_not_article_reason(caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler(NewsSpider, settings_dict={"NEWSCRAWL_STATE_ENABLED": False})
    crawler.stats.open_spider()
    spider = NewsSpider.from_crawler(crawler, urls="https://clean-air.example/news/")
    body = f'<main><h1>News</h1><div class="news-list">{TEASERS}</div></main>'
    pages = [("https://clean-air.example/news/", html_page("News", body)),
             ("https://clean-air.example/", html_page("Home", body))]
    with caplog.at_level(logging.INFO, logger="newscrawl"):
        for url, html in pages:
            response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))
            assert list(spider.parse_article(response)) == []
    assert crawler.stats.get_value("newscrawl/not_article/listing_cards") == 1
    assert crawler.stats.get_value("newscrawl/not_article/home_page") == 1
    assert crawler.stats.get_value("newscrawl/pages/not_article") == 2
    assert sum("(listing_cards)" in r.getMessage() for r in caplog.records) == 1


def test_a_listing_or_home_page_cut_short_is_still_what_it_shows() -> None:
    """A record cut short that gave no article counts as truncated (its story may be what is missing), but a page
    whose URL or story cards show it is a home or section page keeps that reason: a cut does not make it one."""
    crawler = get_crawler(NewsSpider, settings_dict={"NEWSCRAWL_STATE_ENABLED": False})
    crawler.stats.open_spider()
    spider = NewsSpider.from_crawler(crawler, urls="https://clean-air.example/news/")
    listing = html_page("News", f'<main><h1>News</h1><div class="news-list">{TEASERS}</div></main>')
    story = html_page("Fewer swifts nest under the old roofs", "<main><h1>Fewer swifts nest under the old roofs</h1>")
    pages = [("https://clean-air.example/news/", listing), ("https://clean-air.example/", listing),
             ("https://clean-air.example/nature/fewer-swifts-nest-under-old-roofs", story)]
    for url, html in pages:
        response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url),
                                flags=["replayed", "truncated"])
        assert list(spider.parse_article(response)) == []
    assert crawler.stats.get_value("newscrawl/not_article/listing_cards") == 1
    assert crawler.stats.get_value("newscrawl/not_article/home_page") == 1
    assert crawler.stats.get_value("newscrawl/not_article/truncated") == 1
    assert [damaged["kind"] for damaged in spider.damaged_inputs] == ["truncated"]
