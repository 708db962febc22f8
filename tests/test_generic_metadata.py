"""GenericParser's title, authors and published date by agreement of sources (issue 18), one rule per test.

Each test builds a whole page as news sites print them: a site header (logo, menu, today's date), the story
(kicker, headline, standfirst, byline block, body), a related-stories box, reader comments with their own dates
and a comment form, and a footer. Only the part a rule is about changes between tests, so each test fails
without its rule (the header's, related box's and comments' dates, names and headlines are always there to
mislead).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from newscrawl.extract.pubdates import PageDate
from newscrawl.extract.published import Candidate, Shown, choose
from newscrawl.items import Article
from newscrawl.parsers.generic import GenericParser

URL = "https://www.harbour-gazette.example/news/city/council-approves-new-harbour-bridge"
BODY = (
    "<p>The city council voted 9 to 4 on Tuesday evening to approve the long-debated harbour bridge, ending a "
    "decade of planning disputes between the port authority and residents of the old town.</p>"
    "<p>Construction is due to begin next spring and take three years. The council's finance committee put the "
    "cost at 240 million, a third of it paid by the regional government.</p>"
    "<p>“This is the most important decision this council has taken in a generation,” the mayor told the "
    "chamber after the vote, to applause from the public gallery.</p>"
    "<p>Opponents said they would ask the administrative court to review the decision. Their spokeswoman said "
    "the environmental report had underestimated the effect on the estuary's bird colonies.</p>"
    "<p>The bridge will carry two lanes of traffic, a tram line and a separate cycle path, and is designed to "
    "open for ships taller than twelve metres.</p>"
)


def full_page(*, head: str = "", kicker: str = "City", headline: str = "Council approves new harbour bridge",
              byline: str = '<p class="byline">By <a href="/authors/jane-roe">Jane Roe</a></p>',
              dates: str = "", body: str = BODY, lang: str = "en", title: str | None = None,
              standfirst: str = "Nine votes to four end ten years of planning disputes over the estuary crossing.",
              masthead: str = '<div class="logo"><a href="/">Harbour Gazette</a></div>',
              header_date: str = '<div class="today">Friday, December 4, 2026</div>') -> str:
    """A complete article page; the keyword arguments replace one part each."""
    page_title = title if title is not None else f"{headline} | Harbour Gazette"
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{page_title}</title>
<meta property="og:site_name" content="Harbour Gazette">
<meta property="og:type" content="article">
<link rel="canonical" href="{URL}">
{head}
</head>
<body>
<header class="site-header">
  {masthead}
  {header_date}
  <nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
  <li><a href="/culture">Culture</a></li></ul></nav>
</header>
<main>
<article>
  <div class="kicker">{kicker}</div>
  <h1>{headline}</h1>
  <p class="standfirst">{standfirst}</p>
  <div class="article-meta">{byline}{dates}</div>
  <div class="article-body">{body}</div>
</article>
<aside class="related">
  <h3>Related stories</h3>
  <ul>
    <li><a href="/news/city/ferry-timetable-changes">Ferry timetable changes for the winter season</a>
        <span class="date">March 2, 2019</span></li>
    <li><a href="/news/city/port-authority-budget">Port authority presents its budget for next year</a>
        <span class="date">12.02.2019</span></li>
  </ul>
</aside>
<section class="comments" id="comments">
  <h3>2 comments</h3>
  <div class="comment"><span class="comment-author">Peter Miller</span> says:
    <time datetime="2019-03-08T09:12:00Z">March 8, 2019 at 9:12 am</time><p>About time!</p></div>
  <div class="comment"><span class="comment-author">Ann Carter</span> says:
    <time datetime="2019-03-09T17:40:00Z">March 9, 2019 at 5:40 pm</time><p>What about the birds?</p></div>
  <form class="comment-form"><p class="comment-form-author"><label>Name *</label><input name="author"></p>
    <p><label>Comment</label><textarea></textarea></p></form>
</section>
</main>
<footer><p>© 2019 Harbour Gazette. All rights reserved.</p><p>Published by Harbour Media Ltd, 1 Quay Street.</p>
</footer>
</body>
</html>"""


def ld(data: dict[str, object]) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@context": "https://schema.org", **data})}</script>'


def parse(html: str, url: str = URL) -> Article:
    article = GenericParser.from_html(html, url).parse()
    assert article is not None
    return article


# ---- published date -----------------------------------------------------------------------------------------------
def test_visible_clock_time_recovers_the_offset_of_a_utc_machine_date() -> None:
    # The page prints 8:15 PM on the 18th; its meta gives the same moment in UTC (the 19th).
    html = full_page(head='<meta property="article:published_time" content="2019-11-19T02:15:00Z">',
                     dates='<p class="date">November 18, 2019 8:15 PM</p>')
    assert parse(html).published_at == "2019-11-18T20:15:00-06:00"


def test_visible_day_wins_over_a_machine_date_one_day_off() -> None:
    html = full_page(head=ld({"@type": "NewsArticle", "headline": "Council approves new harbour bridge",
                              "datePublished": "2019-11-19T03:30:00+00:00"}),
                     dates='<p class="date">Published November 18, 2019</p>')
    assert parse(html).published_at == "2019-11-18"  # the day as shown, kept as a day


def test_machine_date_on_the_visible_day_keeps_its_time_and_offset() -> None:
    html = full_page(lang="de", head=ld({"@type": "NewsArticle", "headline": "Council approves new harbour bridge",
                                         "datePublished": "2021-03-03T14:05:00+01:00"}),
                     byline='<p class="byline">Von Anna Roe</p>', dates="<span>3. März 2021</span>")
    assert parse(html).published_at == "2021-03-03T14:05:00+01:00"


def test_todays_date_in_the_site_header_is_not_the_published_date() -> None:
    # No date by the byline; the header prints today's date just above the story, the machine date disagrees.
    html = full_page(head='<meta property="article:published_time" content="2019-03-07T10:00:00+01:00">',
                     header_date='<div class="today">Wednesday, November 20, 2019</div>',
                     masthead="", kicker="")
    assert parse(html).published_at == "2019-03-07T10:00:00+01:00"


def test_date_above_the_headline_counts_only_when_machine_dates_agree() -> None:
    # A date line printed above the headline inside the story area (no site banner around it) that no machine
    # date supports is a "today" box, not the story's date.
    html = full_page(head='<meta property="article:published_time" content="2019-03-07T10:00:00+01:00">',
                     header_date="", kicker="Wednesday, November 20, 2019")
    assert parse(html).published_at == "2019-03-07T10:00:00+01:00"


def test_update_labelled_date_is_not_the_published_date() -> None:
    html = full_page(lang="de", byline='<p class="byline">Von Anna Roe</p>',
                     dates="<p>Aktualisiert am 5. März 2021, 10:12 Uhr</p><p>Veröffentlicht am 3. März 2021</p>")
    assert parse(html).published_at == "2021-03-03"


def test_a_published_label_in_a_block_of_its_own_labels_the_date_after_it() -> None:
    # a fact box after the story, as definition lists and credit lists print it: label, then value
    facts = ("<dl class='facts'><dt>Updated</dt><dd>5 March 2021</dd><dt>Published</dt><dd>3 March 2021</dd>"
             "<dt>Reading time</dt><dd>4 minutes</dd></dl>")
    assert parse(full_page(byline="", body=BODY + facts)).published_at == "2021-03-03"
    only_updated = "<dl class='facts'><dt>Updated</dt><dd>5 March 2021</dd></dl>"
    assert parse(full_page(byline="", body=BODY + only_updated)).published_at is None


def test_the_date_below_a_logo_h1_holding_the_headline_is_the_headers_not_the_storys() -> None:
    # the site's logo <h1> repeats the headline with the site's name; the header prints today's date below it
    html = full_page(masthead="<h1>Council approves new harbour bridge Harbour Gazette</h1>",
                     header_date='<div class="today">Tuesday, 12 March 2019</div>',
                     byline='<p class="byline">By Jane Roe | 11 March 2019</p>')
    assert parse(html).published_at == "2019-03-11"


def test_french_visible_date_without_machine_dates_stays_a_day() -> None:
    html = full_page(lang="fr", byline='<p class="byline">par Marie Dupont, le 12 janvier 2020</p>')
    assert parse(html).published_at == "2020-01-12"


def test_naive_visible_time_stays_naive() -> None:
    html = full_page(lang="es", byline='<p class="byline">Por Henry Roe</p>',
                     dates="<p>21 de abril de 2022 22:04</p>")
    assert parse(html).published_at == "2022-04-21T22:04:00"  # no zone on the page: none invented (issue 14)


def test_stale_machine_date_loses_to_the_date_by_the_byline() -> None:
    html = full_page(head='<meta property="article:published_time" content="2018-10-07T08:00:00+00:00">',
                     byline='<p class="byline">November 12, 2018 | BY: Jane Roe</p>')
    assert parse(html).published_at == "2018-11-12"


def test_a_date_in_the_standfirst_is_the_stories_subject_not_its_date() -> None:
    html = full_page(head='<meta property="article:published_time" content="2019-11-19T09:00:00+00:00">',
                     standfirst="On 3 March 2019 the council first debated the bridge, and residents have argued "
                                "about its route ever since.")
    assert parse(html).published_at == "2019-11-19T09:00:00+00:00"


def test_date_in_the_url_when_the_page_shows_none() -> None:
    html = full_page()
    assert parse(html, "https://www.harbour-gazette.example/2019/03/07/council-approves-bridge").published_at \
        == "2019-03-07"


def test_comment_and_related_dates_are_not_the_published_date() -> None:
    assert parse(full_page()).published_at is None  # only comments, related stories and © 2019 carry dates


def test_machine_dates_vote_when_nothing_is_shown() -> None:
    html = full_page(head=ld({"@type": "NewsArticle", "headline": "Council approves new harbour bridge",
                              "datePublished": "2017-01-01T00:00:00+00:00"})
                     + '<meta property="article:published_time" content="2019-03-07T10:00:00+01:00">',
                     dates='<time datetime="2019-03-07T09:00:00Z">2 hours ago</time>')  # relative: not a day
    assert parse(html).published_at == "2019-03-07T10:00:00+01:00"  # meta and <time> outvote JSON-LD


def test_future_dates_are_never_published_dates() -> None:
    machine = [Candidate("jsonld", PageDate(datetime(2031, 1, 1, 9), timezone.utc)),
               Candidate("meta", PageDate(datetime(2019, 3, 7, 10), timezone.utc))]
    shown = [Shown(PageDate(datetime(2030, 5, 1), None, day_only=True))]
    chosen = choose(machine, shown, now=datetime(2020, 1, 1, tzinfo=timezone.utc))
    assert chosen is not None and chosen.value == datetime(2019, 3, 7, 10)



def test_a_date_in_the_url_does_not_take_the_clock_time_off_the_visible_date() -> None:
    """/2025/03/19/ in the URL is a machine date of the day only; the page prints "19/03/2025 14:05" (no offset
    anywhere): the item kept the URL's bare day, flagged date_day_only, and lost the time the page shows."""
    html = full_page(dates='<p class="date">Pubblicato il 19/03/2025 14:05</p>', lang="it")
    article = parse(html, "https://www.harbour-gazette.example/2025/03/19/council-approves-new-harbour-bridge")
    assert article.published_at == "2025-03-19T14:05:00"

# ---- title --------------------------------------------------------------------------------------------------------
def test_a_topline_printed_inside_the_h1_is_not_the_headline() -> None:
    """German broadcasters print the topline in the <h1>, in its own span: the title came out as "Hochwasser in
    Heilbronn Neckar-Pegel steigt weiter"; og:title names the headline alone."""
    html = full_page(lang="de", headline='<span class="seitenkopf__topline">Hochwasser in Heilbronn</span> '
                     '<span class="seitenkopf__headline--text">Neckar-Pegel steigt weiter</span>',
                     title="Hochwasser: Neckar-Pegel steigt weiter | Harbour Gazette",
                     head='<meta property="og:title" content="Neckar-Pegel steigt weiter">')
    assert parse(html).title == "Neckar-Pegel steigt weiter"


def test_a_blog_name_in_the_h1_is_not_the_post_title() -> None:
    """Blogger prints the blog's name as the page's <h1> (the post's title is an <h3>) and titles the page "Blog
    Name: Post title"; og:title is the post's."""
    html = full_page(headline="Birds of the Delta", title="Birds of the Delta: First swallows of spring at the levee",
                     head='<meta property="og:title" content="First swallows of spring at the levee">')
    assert parse(html).title == "First swallows of spring at the levee"


def test_printed_headline_wins_over_an_seo_machine_title() -> None:
    html = full_page(head='<meta property="og:title" content="Harbour bridge: what the vote means for you">')
    assert parse(html).title == "Council approves new harbour bridge"


def test_headline_inside_a_kicker_title_is_the_h1() -> None:
    html = full_page(title="Estuary crossing: Council approves new harbour bridge - Harbour Gazette")
    assert parse(html).title == "Council approves new harbour bridge"


def test_site_name_h1_and_hidden_h1_are_not_the_headline() -> None:
    html = full_page(masthead='<h1 class="logo"><a href="/">Harbour Gazette</a></h1>'
                              '<h1 class="sr-only">Navigation and service</h1>',
                     headline="<span>Council approves</span> new harbour bridge")
    assert parse(html).title == "Council approves new harbour bridge"


def test_date_written_before_the_headline_is_not_part_of_it() -> None:
    html = full_page(headline="07.03.2019 - Council approves new harbour bridge")
    article = parse(html)
    assert (article.title, article.published_at) == ("Council approves new harbour bridge", "2019-03-07")


# ---- authors ------------------------------------------------------------------------------------------------------
def test_comment_form_labels_and_commenters_are_not_authors() -> None:
    article = parse(full_page(byline=""))
    assert article.authors == []


def test_label_and_role_words_are_not_part_of_the_name() -> None:
    html = full_page(lang="de", byline='<p class="autor">Autorin: Rechtsanwältin Julia Roe</p>')
    assert parse(html).authors == ["Julia Roe"]


def test_structured_author_the_page_never_shows_is_dropped() -> None:
    html = full_page(byline="", head=ld({"@type": "NewsArticle", "headline": "Council approves new harbour bridge",
                                         "author": {"@type": "Person", "name": "Walter Webmaster"}}))
    assert parse(html).authors == []


def test_publishers_desk_after_a_name_is_not_a_person() -> None:
    html = full_page(head=ld({"@type": "NewsArticle", "headline": "Council approves new harbour bridge",
                              "publisher": {"@type": "Organization", "name": "Harbour Gazette"}}),
                     byline='<p class="byline">By Jane Roe, Harbour Gazette City</p>')
    assert parse(html).authors == ["Jane Roe"]


def test_publishers_name_glued_after_a_name_is_the_outlet_not_part_of_the_name() -> None:
    """Network papers print "Jane Roe Harbour Gazette" or "… and Tom Miller HARBOUR GAZETTE" with nothing between
    name and outlet: the people are credited without it. A surname that is a one-word outlet's name stays whole."""
    publisher = ld({"@type": "NewsArticle", "headline": "Council approves new harbour bridge",
                    "publisher": {"@type": "Organization", "name": "Harbour Gazette"}})
    glued = full_page(head=publisher, byline='<p class="byline">By Jane Roe and Tom Miller HARBOUR GAZETTE</p>')
    assert parse(glued).authors == ["Jane Roe", "Tom Miller"]
    surname = full_page(head=publisher.replace("Harbour Gazette", "Spiegel"),
                        byline='<p class="byline">By Anna Maria Spiegel</p>')
    assert parse(surname).authors == ["Anna Maria Spiegel"]


def test_outlet_in_capitals_after_a_name_is_not_a_person_whichever_outlet_it_is() -> None:
    """A syndicated copy keeps its source paper's credit ("Tom Miller, BAYSIDE LEDGER", or glued on) on another
    paper's page: a name in capitals after one in mixed case is that outlet, printed as its logo, not a second
    person, and the person before it is kept whole. A surname in capitals after a particle stays the person's."""
    expected = {
        "Tom Miller, BAYSIDE LEDGER": ["Tom Miller"],
        "Tom Miller BAYSIDE LEDGER": ["Tom Miller"],
        "Jane Roe and Tom Miller BAYSIDE LEDGER": ["Jane Roe", "Tom Miller"],
        "JANE ROE, USA TODAY": ["Jane Roe"],  # all in capitals: "Today" names outlets, as "Times" and "Post" do
        "Jean Paul DE LA TOUR": ["Jean Paul DE LA TOUR"],
    }
    for byline, authors in expected.items():
        article = parse(full_page(byline=f'<p class="byline">By {byline}</p>'))
        assert (article.authors, article.byline) == (authors, byline), byline


def test_role_word_after_a_single_name_is_the_surname() -> None:
    """A job title follows a whole name ("Jane Roe Business Columnist"); after a lone first name the same word is
    a surname, and stripping it left a first name that no longer read as a person."""
    expected = {"Alex Writer": ["Alex Writer"], "Jane Roe, Staff Writer": ["Jane Roe"],
                "Jane Roe Business Columnist": ["Jane Roe"]}
    for byline, authors in expected.items():
        assert parse(full_page(byline=f'<p class="byline">By {byline}</p>')).authors == authors, byline


def test_bylines_in_documented_conventions_credit_their_people() -> None:
    """A label ("Autor/in:", Russian "Текст:"), a job title compounded with the outlet ("FOCUS-Online-Experte"), a
    German or "News" job title after the name, a date or clock time glued on ("am 08.12.2022", "1 day ago", Blogger's
    "at 18:52") and an interview's "X im Gespräch mit Y" each left the whole byline unread as a person: the people
    were printed but not credited. Initials keep their full stop. A desk or agency stays out of authors."""
    expected = {
        "Autor/in: Korinna Hennig": ["Korinna Hennig"],
        "Autor:in: Korinna Hennig": ["Korinna Hennig"],
        "Текст: Венера Ерофеева": ["Венера Ерофеева"],
        "Von FOCUS-Online-Experte Robin Tschöpe": ["Robin Tschöpe"],
        "Christoph Hein Chefredakteur": ["Christoph Hein"],
        "Tom Gillespie News reporter": ["Tom Gillespie"],
        "Jörn Mecher am 08.12.2022": ["Jörn Mecher"],
        "Suzanne Gamboa 1 day ago": ["Suzanne Gamboa"],
        "Posted by Günter W. Kienitz at 18:52": ["Günter W. Kienitz"],
        "Richard David Precht im Gespräch mit Karin Fischer": ["Richard David Precht", "Karin Fischer"],
        "Jane Roe in conversation with Tom Miller": ["Jane Roe", "Tom Miller"],
        "Joe S.": ["Joe S."],
        "dpa am 25.01.2022": [],
        "Redaktion am 25.01.2022": [],
    }
    for byline, authors in expected.items():
        assert parse(full_page(byline=f'<p class="byline">{byline}</p>')).authors == authors, byline


def test_a_name_written_last_name_first_is_one_person() -> None:
    """Catalogues and Dublin Core's creator write "Last, First": split at the comma, it was two one-word credits,
    each dropped as a brand. An agency or desk beside a place keeps the comma a separator."""
    expected = {"Roe, Jane": ["Jane Roe"], "Roe, Jane A.": ["Jane A. Roe"], "Reuters, Washington": [],
                "Redaktion, Berlin": []}
    for byline, authors in expected.items():
        assert parse(full_page(byline=f'<p class="byline">{byline}</p>')).authors == authors, byline
    creator = full_page(byline='<p class="byline">Jane Roe</p>', head='<meta name="DC.creator" content="Roe, Jane">')
    assert parse(creator).authors == ["Jane Roe"]


def test_a_personal_sites_publisher_is_its_author() -> None:
    """A personal blog names its author as its publisher, typed Person (Yoast's "site represents a person"); the
    credit equal to the publisher was taken for the outlet. An Organization publisher's name stays the outlet."""
    for kind, authors in (("Person", ["Jane Roe"]), ("Organization", [])):
        head = ld({"@type": "BlogPosting", "headline": "Council approves new harbour bridge",
                   "author": {"@type": "Person", "name": "Jane Roe"},
                   "publisher": {"@type": kind, "name": "Jane Roe"}})
        assert parse(full_page(head=head, byline='<p class="byline">Jane Roe</p>')).authors == authors, kind


def test_an_author_box_with_a_bio_gives_its_name_element() -> None:
    """An author box holds the name and a bio; taken whole ("Martin Roe Martin is a full-stack engineer…") it read
    as no person. Its name element, also an author node, is the byline."""
    box = ('<div class="author_short_bio"><div class="author_short_bio-name">Martin Roe</div>'
           "<p>Martin is a full-stack engineer and has worked as a Python developer since 2007.</p></div>")
    article = parse(full_page(byline="", body=BODY + box))
    assert (article.authors, article.byline) == (["Martin Roe"], "Martin Roe")


def test_by_line_below_the_headline_names_the_authors() -> None:
    html = full_page(byline="<div>By Jane Roe and Tom Miller</div>")  # no byline class, no structured data
    assert parse(html).authors == ["Jane Roe", "Tom Miller"]


def test_day_printed_without_a_year_takes_the_machine_dates_year() -> None:
    html = full_page(head='<meta property="article:published_time" content="2020-01-01T05:30:00Z">',
                     dates="<p>Posted Dec 31, 11:30 PM</p>")
    assert parse(html).published_at == "2019-12-31T23:30:00-06:00"  # not 2020-12-31; the offset from the clock


def test_outlet_named_after_a_person_in_the_byline_is_not_a_second_person() -> None:
    html = full_page(head=ld({"@type": "NewsArticle", "headline": "Council approves new harbour bridge",
                              "publisher": {"@type": "Organization", "name": "Harbour Gazette Weekend"}}),
                     byline='<p class="byline">Jane Roe, Harbour Gazette</p>')
    assert parse(html).authors == ["Jane Roe"]


def test_ambiguous_numeric_date_is_read_the_way_the_machine_date_agrees() -> None:
    html = full_page(lang="de", byline='<p class="byline">Von Anna Roe</p>', dates="<p>Stand: 11/01/2021, 05:00</p>",
                     head='<meta property="article:published_time" content="2021-11-01T04:00:00Z">')
    assert parse(html).published_at == "2021-11-01T04:00:00+00:00"  # 1 November, not 11 January


def test_machine_date_written_as_people_write_it_is_read() -> None:
    html = full_page(lang="de", byline='<p class="byline">Von Anna Roe</p>',
                     head='<meta name="date" content="10.12.2022, 07:00:03">')
    assert parse(html).published_at == "2022-12-10T07:00:00"


def test_an_abbr_title_gives_the_machine_date_of_blogger_and_hatom_templates() -> None:
    """Blogger's layout prints the day in a date header and the time in <abbr class='published'
    itemprop='datePublished' title='ISO'>; older WordPress themes mark the same with hAtom alone. The title is the
    machine date (the microformats' abbr pattern): the item kept only the printed day, flagged date_day_only."""
    blogger = (f"<div class='date-outer'><h2 class='date-header'><span>Friday, November 20, 2026</span></h2>"
               f"<div class='post hentry' itemprop='blogPost' itemscope='itemscope' "
               f"itemtype='http://schema.org/BlogPosting'><h3 class='post-title entry-title' itemprop='name'>"
               f"Council approves new harbour bridge</h3><div class='post-body entry-content' "
               f"itemprop='description articleBody'>{BODY}</div><div class='post-footer'>"
               f"<span class='post-author vcard'>Posted by <span class='fn' itemprop='author' itemscope='itemscope' "
               f"itemtype='http://schema.org/Person'><span itemprop='name'>Helen Marsh</span></span></span> "
               f"<span class='post-timestamp'>at <a class='timestamp-link' href='{URL}' rel='bookmark'>"
               f"<abbr class='published' itemprop='datePublished' title='2026-11-20T07:49:00-08:00'>7:49 AM</abbr>"
               f"</a></span></div></div></div>")
    html = (f"<html lang='en'><head><title>Harbour Gazette: Council approves new harbour bridge</title></head>"
            f"<body><div class='header'><h1>Harbour Gazette</h1></div>{blogger}</body></html>")
    article = parse(html)
    assert article.published_at == "2026-11-20T07:49:00-08:00" and "date_day_only" not in article.quality
    hatom = html.replace(" itemprop='datePublished'", "").replace(" itemscope='itemscope'", "")
    assert parse(hatom).published_at == "2026-11-20T07:49:00-08:00"


def test_a_byline_keeps_neither_screen_reader_text_nor_a_field_label() -> None:
    """WordPress's default themes print <span class="screen-reader-text">Author </span> in the byline; Drupal prints
    its author field's label "Author" as a div without a colon. Both became part of the name ("Author Jane Roe")."""
    wordpress = ('<footer class="entry-footer"><span class="byline"><span class="author vcard">'
                 '<span class="screen-reader-text">Author </span> <a class="url fn n" href="/author/jroe/">Jane Roe</a>'
                 '</span></span><span class="posted-on"><span class="screen-reader-text">Posted on </span>'
                 '<time class="entry-date published" datetime="2019-11-18T08:15:00+00:00">November 18, 2019</time>'
                 "</span></footer>")
    drupal = ('<div class="field field--name-field-author field--label-inline"><div class="field__label">Author</div>'
              '<div class="field__item"><a href="/people/jane-roe">Jane Roe</a></div></div>')
    for byline in (wordpress, drupal):
        assert parse(full_page(byline=byline)).authors == ["Jane Roe"], byline


def test_a_read_more_card_of_another_story_does_not_lend_its_byline() -> None:
    """Ghost's themes list other stories after the article as cards, each one link holding "By <author>"; with no
    "By" line under the headline (Ghost prints the author's name alone), the first card's author was taken."""
    card = ('<section class="gh-container"><h2>Read more</h2><article class="gh-card post"><a class="gh-card-link" '
            'href="/eviction-filings/"><h3 class="gh-card-title">Eviction filings return to pre-pandemic levels</h3>'
            '<footer class="gh-card-meta"><span class="gh-card-author">By Samuel Achebe</span></footer></a></article>'
            "</section>")
    html = full_page(byline='<div class="gh-article-meta"><span class="gh-article-author-name">'
                            '<a href="/author/jane/">Jane Roe</a></span></div>', body=BODY + card)
    assert parse(html).authors == ["Jane Roe"]


def test_a_wordpress_updated_time_is_the_modified_date() -> None:
    """WordPress's themes print <time class="entry-date published"> and <time class="updated"> side by side; with no
    JSON-LD or meta saying so, modified_at stayed null (15 of the 650 AEB and trafilatura-eval pages print it)."""
    posted = ('<p class="posted-on"><a href="/2019/11/18/bridge/" rel="bookmark"><time class="entry-date published" '
              'datetime="2019-11-18T08:15:00+00:00">November 18, 2019</time><time class="updated" '
              'datetime="2019-11-19T10:02:00+00:00">November 19, 2019</time></a></p>')
    article = parse(full_page(dates=posted))
    assert (article.published_at, article.modified_at) == ("2019-11-18T08:15:00+00:00", "2019-11-19T10:02:00+00:00")


def test_a_screen_reader_copy_of_the_authors_name_is_not_read_twice() -> None:
    """Design systems prefix their screen-reader-only class ("u-screen-reader-text", "govuk-visually-hidden"): the
    copy is for assistive technology, and the byline a reader sees names the author once."""
    for hidden in ("u-screen-reader-text", "govuk-visually-hidden", "element-invisible"):
        page = full_page(byline=f'<p class="byline">By <a href="/authors/jane-roe">Jane Roe'
                                f'<span class="{hidden}">Jane Roe</span></a></p>')
        assert parse(page).authors == ["Jane Roe"], hidden


def test_the_outlet_named_as_creator_beside_the_writer_is_not_a_second_author() -> None:
    """One field names the house (its print title, sharing a word with the publisher or the site), the byline the
    writer: the house is an organisation. Alone, a name like the site's stays a person (a writer's own site)."""
    house = ld({"@type": "NewsArticle", "creator": ["Harbour Weekly"],
                "publisher": {"@type": "Organization", "name": "Harbour Gazette"}})
    printed = BODY + "<p>From Harbour Weekly 52/2026, the print edition.</p>"
    assert parse(full_page(head=house, body=printed)).authors == ["Jane Roe"]
    assert parse(full_page(byline='<p class="byline">By Tom Harbour</p>')).authors == ["Tom Harbour"]
