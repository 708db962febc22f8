"""GenericParser precision rules: what sits in or next to a story's box and is not the story (calls to action,
metadata boxes, comment sections, caption credits, "read also" lines, the page footer), one realistic full page each.

Each page was written for the rule it tests (no page of a benchmark is copied here); each test fails without its
rule (see the commit that brought the rule)."""

from __future__ import annotations

import lxml.html

from newscrawl.extract.furniture import prune
from tests.test_generic_body import html_page, parse

STORY = [
    "The district council approved the new cycle route along the river on Tuesday evening after a debate of more "
    "than three hours. Construction is to start in September and take about eighteen months.",
    "The route will connect the old town with the university campus and the business park in the east. Planners "
    "expect up to 4,000 cyclists a day once the last section over the railway bridge is finished.",
    "Residents of the river quarter had asked for the route for a decade. Their association collected more than "
    "2,500 signatures and presented them to the council before the summer break last year.",
    "Shop owners on Bridge Street criticised the loss of thirty parking spaces. The council promised to build a "
    "new car park behind the market hall before the works on Bridge Street begin in the spring.",
    "The project costs 6.4 million euros, of which the state pays two thirds from its programme for climate "
    "friendly transport. The district has to raise the rest from its own budget over two years.",
]
LEAD = "Work starts in September: the council votes for the riverside route by 31 to 12."


def paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def test_furniture_named_after_the_article_it_belongs_to_is_pruned() -> None:
    """Components are named head last: "article-donation-cta" is the article's call to action, "post-meta-box" the
    post's metadata box, "article-share-bar" its share bar. The article word in front only says whose furniture it
    is; "article-body" and "post-header" (a header holding the lead) are still the article's own. A furniture word
    split in two ("news-letter-section") is read whole."""
    body = f"""
<main class="site-main"><article class="article">
  <header class="article-header"><h1 class="article-title">Cycle route along the river gets the go-ahead</h1>
    <div class="article-share-bar"><a href="/share?fb">Facebook</a> <a href="/share?tw">Twitter</a>
      <span>Share this story with friends and neighbours who cycle to work every day</span></div>
  </header>
  <div class="article-body">{paragraphs(STORY[:3])}
    <div class="article-donation-cta"><p>We rely on your support to keep local news free for everyone. Become a
      member today and help us report on the decisions that shape your district.</p></div>
    {paragraphs(STORY[3:])}
    <div class="news-letter-section"><p>Tips, trends and news from the valley: we have plenty of exciting topics
      for you every Friday!</p><form><input type="email"></form></div>
  </div>
  <div class="post-meta-box"><p>Categories: Transport, Council, River quarter, Cycling, Climate and energy,
    Town planning, Budget</p></div>
</article></main>"""
    article = parse(html_page("Cycle route along the river gets the go-ahead", body),
                    "https://valley-courier.example/transport/cycle-route-along-the-river-approved")
    assert article is not None
    assert all(text in article.body for text in STORY)
    for furniture in ("We rely on your support", "Share this story", "Categories: Transport", "exciting topics"):
        assert furniture not in article.body


def test_the_headline_stays_when_its_furniture_named_box_is_pruned() -> None:
    """A headline inside a box named like furniture ("title-rating-wrapper") loses the box, not the headline: the
    lead between the headline and the body box is found from the headline, so it must stay in place."""
    body = f"""
<main><div class="story">
  <div class="story-title-rating-wrapper"><h1>Cycle route along the river gets the go-ahead</h1>
    <div class="rating">★★★★☆ 41 votes</div></div>
  <div class="intro"><p>{LEAD}</p></div>
  <div class="story-body">{paragraphs(STORY)}</div>
</div></main>"""
    article = parse(html_page("Cycle route along the river gets the go-ahead", body),
                    "https://valley-courier.example/transport/cycle-route-along-the-river-approved")
    assert article is not None
    assert article.body.startswith(LEAD) and STORY[-1] in article.body and "41 votes" not in article.body


GERMAN_STORY = [
    "Der Gemeinderat hat am Dienstagabend den neuen Radweg entlang der Ill beschlossen. Die Bauarbeiten sollen im "
    "September beginnen und etwa achtzehn Monate dauern, teilte die Stadtverwaltung nach der Sitzung mit.",
    "Der Weg verbindet die Altstadt mit dem Campus der Hochschule und dem Gewerbegebiet im Osten. Die Planer "
    "rechnen mit bis zu 4000 Radfahrerinnen und Radfahrern am Tag, sobald die Brücke über die Bahn fertig ist.",
    "Anwohnerinnen und Anwohner hatten den Radweg seit zehn Jahren gefordert. Ihr Verein sammelte mehr als 2500 "
    "Unterschriften und übergab sie dem Bürgermeister vor der Sommerpause des vergangenen Jahres.",
    "Geschäftsleute in der Brückenstraße kritisieren den Wegfall von dreißig Parkplätzen. Die Stadt verspricht "
    "ein neues Parkhaus hinter der Markthalle, bevor die Arbeiten in der Brückenstraße beginnen.",
]


def test_comment_sections_are_pruned_in_the_pages_language() -> None:
    """A comment section is named in the site's language ("kommentarModul", "commentaires") and headed by its
    count or its call ("3 Kommentare", "Schreibe einen Kommentar"): both mark where readers' text starts."""
    comments = """
<div id="kommentarModul" class="kommentarModul"><div class="kommentarContent">
  <p>Endlich! Ich fahre die Strecke jeden Tag und musste bisher immer auf der Hauptstraße zwischen den Lastwagen
  fahren. Hoffentlich wird der Weg auch im Winter geräumt, sonst nützt er wenig.</p>
  <p>Sie sind aktuell nicht eingeloggt. Bitte melden Sie sich an, um einen Kommentar zu schreiben.</p>
</div></div>"""
    body = f"""
<main><article class="beitrag"><h1>Radweg an der Ill wird gebaut</h1>
  <div class="beitrag-text">{paragraphs(GERMAN_STORY)}</div>{comments}
  <div class="leserstimmen"><h3>3 Kommentare</h3>
    <p>Wieder wird Geld für ein paar Radfahrer ausgegeben, während die Schlaglöcher in der Oststadt seit Jahren
    niemand repariert. Das versteht in unserem Viertel wirklich niemand mehr, fragen Sie mal herum.</p>
    <p>Die Parkplätze in der Brückenstraße waren doch sowieso immer leer, außer am Samstagvormittag. Ich finde
    den Radweg richtig und hoffe, dass er schneller fertig wird als die letzte Baustelle dort.</p>
    <h3>Schreibe einen Kommentar</h3><p>Deine E-Mail-Adresse wird nicht veröffentlicht.</p>
  </div>
</article></main>"""
    article = parse(html_page("Radweg an der Ill wird gebaut", body, lang="de"),
                    "https://stadtbote.example/lokales/radweg-an-der-ill-wird-gebaut")
    assert article is not None and all(text in article.body for text in GERMAN_STORY)
    for comment in ("Endlich!", "nicht eingeloggt", "3 Kommentare", "Schlaglöcher", "Parkplätze in der Brückenstraße"
                    " waren doch"):
        assert comment not in article.body


def test_read_also_ad_labels_credits_and_labels_are_dropped_in_the_pages_language() -> None:
    """Short furniture lines in German, French and the rest: "Lesen Sie auch", "ANZEIGE – …", picture credits
    ("Foto: …", "…/Getty Images", "© …"), "Kontakt:", "Kategorie: …"; and "Mehr zum Thema" ends the story."""
    body = f"""
<main><article><h1>Radweg an der Ill wird gebaut</h1>
  <div class="beitrag-text">
    <div class="bild"><img src="/img/radweg.jpg" alt=""><span>Foto: Stadtbote/Marie Keller</span></div>
    {paragraphs(GERMAN_STORY[:2])}
    <div class="embed"><h4>Lesen Sie auch</h4><p><a href="/verkehr/neue-buslinien">Neue Buslinien ab Mai</a></p></div>
    <div class="code-block"><b>ANZEIGE - Heute mal ausgehen? Wie wäre es mit:</b></div>
    <p>{GERMAN_STORY[2]}</p>
    <div><img src="/img/bruecke.jpg" alt=""><p>Imago/Getty Images</p></div>
    <p>{GERMAN_STORY[3]}</p>
    <p>© 2024 Stadtbote Verlag</p>
    <p><strong>Kontakt:</strong></p>
    <p>Kategorie: Lokales, Verkehr</p>
    <h3>Mehr zum Thema</h3>
    <p>Der Stadtrat streitet über die Kosten des Radschnellwegs nach Süden, den die Landesregierung seit zwei
    Jahren plant und der frühestens im Jahr 2030 fertig werden soll.</p>
  </div>
</article></main>"""
    article = parse(html_page("Radweg an der Ill wird gebaut", body, lang="de"),
                    "https://stadtbote.example/lokales/radweg-an-der-ill-wird-gebaut")
    assert article is not None and all(text in article.body for text in GERMAN_STORY)
    for furniture in ("Foto: Stadtbote", "Lesen Sie auch", "ANZEIGE", "Getty Images", "© 2024", "Kontakt",
                      "Kategorie: Lokales", "Mehr zum Thema", "Radschnellwegs"):
        assert furniture not in article.body


def blog_page(title: str, inner: str) -> str:
    """A small blog template without the site header and footer classes of html_page: only the markup under test
    tells the extractor what is furniture."""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} – Riverside Notes</title>'
            f'</head><body><div id="page">{inner}</div></body></html>')


def test_the_author_box_and_a_post_footer_written_as_one_word_are_pruned() -> None:
    """An author bio marked up as itemprop=author is the author's box, not the post; "entryfooter" (one word) is the
    entry's footer with its comment status, as "entry-footer" would be."""
    inner = f"""
<div class="post"><h1>Cycle route along the river gets the go-ahead</h1>
  <div class="entry">{paragraphs(STORY)}
    <div class="about-box" itemprop="author" itemscope itemtype="https://schema.org/Person">
      <p><span itemprop="name">Tom Hale</span></p>
      <p itemprop="description">I like every kind of cycling, from the daily ride to work to long tours along the
      coast, and I have written about transport in our town for this blog since 2012.</p></div>
    <div class="entryfooter"><p>Comments are closed. 14 readers found this post helpful and shared it.</p></div>
  </div>
</div>"""
    article = parse(blog_page("Cycle route along the river gets the go-ahead", inner),
                    "https://riverside-notes.example/2024/03/cycle-route-along-the-river/")
    assert article is not None and all(text in article.body for text in STORY)
    assert "I like every kind of cycling" not in article.body and "Comments are closed" not in article.body


def test_the_sites_footer_is_pruned_but_an_articles_own_footer_is_not() -> None:
    """The page's <footer> (outside any <article> or <main>) holds the site's blurb and links, even when it is
    written as prose; an <article>'s own <footer> holds the story's closing note and stays."""
    inner = f"""
<div class="wrap">
  <article><h1>Cycle route along the river gets the go-ahead</h1>{paragraphs(STORY)}
    <footer><p>Correction: an earlier version of this post gave the cost of the route as 4.6 million euros; the
    council's figure is 6.4 million euros.</p></footer></article>
  <footer><p>Riverside Notes is written by volunteers from the river quarter since 2009. We report on the council,
  on transport and on local culture, and we never take money from the people we write about.</p>
  <p>Our reporters attend every meeting of the district council and its committees. If you want to help, write to
  us: we are always looking for people who can take photos, check facts or write about their own street.</p>
  <ul><li><a href="/about/">About</a></li><li><a href="/imprint/">Imprint</a></li></ul></footer>
</div>"""
    article = parse(blog_page("Cycle route along the river gets the go-ahead", inner),
                    "https://riverside-notes.example/2024/03/cycle-route-along-the-river/")
    assert article is not None and all(text in article.body for text in STORY)
    assert "Correction: an earlier version" in article.body and "written by volunteers" not in article.body


def test_picture_legends_like_buttons_and_aside_boxes_are_pruned() -> None:
    """A picture's text in a box named "legend" (the word for a caption in French and German, and the HTML word),
    a like-button widget, an affiliate disclosure and a box whose class is named after <aside> are not the story."""
    inner = f"""
<div class="content"><h1>Cycle route along the river gets the go-ahead</h1>
  <div class="text">
    <section class="editorial-disclosure"><p>This post contains links to products from our partners. We may receive
      a commission when you buy through them, which never changes what we write.</p></section>
    <div class="image-right"><img src="/img/river.jpg" alt=""><div class="legend"><div class="content">The old towpath
      below the railway bridge, where the new route will run along the water for about two kilometres.</div></div></div>
    {paragraphs(STORY)}
    <div class="aside"><h3>In numbers</h3><ul><li><a href="/tag/cycling">6.4 million euros for the river route and
      the railway bridge</a></li><li><a href="/tag/bridge">4,000 cyclists a day expected on the route</a></li></ul>
      <p>Other transport projects of the district council and of the state are listed in our transport dossier.</p></div>
    <div class="post-likes"><span class="button">Like this post and tell your neighbours</span></div>
  </div>
</div>"""
    article = parse(blog_page("Cycle route along the river gets the go-ahead", inner),
                    "https://riverside-notes.example/2024/03/cycle-route-along-the-river/")
    assert article is not None and all(text in article.body for text in STORY)
    for furniture in ("The old towpath", "Other transport projects", "Like this post", "links to products"):
        assert furniture not in article.body


def test_the_pages_own_notices_inside_the_story_box_are_dropped() -> None:
    """Inside the story's box sit the outlet's notices, whatever their markup: newsletter and app calls to action,
    paywall prompts, an opinion disclaimer, a picture's caption ending in its © credit. A sentence of the story that
    mentions a newsletter or an app store is no call to action and stays."""
    story = STORY + ["The cycling club will send the timetable of the works to members in its monthly newsletter, "
                     "and the council has promised updates on its website.",
                     "Millbrook is already a member of the regional cycling network. Residents who want a say in "
                     "the design of the bridge must register now for the public consultation.",
                     "Updated 2 p.m.: the towpath is closed."]
    body = f"""
<main><article><h1>Cycle route along the river gets the go-ahead</h1>
  <div class="entry-content">
    <p>The railway bridge seen from the towpath, where the route will cross the tracks. © Marie Keller</p>
    {paragraphs(story[:3])}
    <p>Never miss the latest news from your district by signing up to our newsletter today!</p>
    <p><strong>For the latest stories and breaking news updates download the Courier apps for iOS and Android.</strong></p>
    {paragraphs(story[3:])}
    <p>To view the full story, please subscribe to the Valley Courier. You can choose an annual subscription or a
    weekly pass.</p>
    <p>If you’re seeing this message but you’re already a subscriber, you can log in for immediate access.</p>
    <p><em>The opinions expressed in this column are those of the author and not of the Valley Courier.</em></p>
  </div>
</article></main>"""
    article = parse(html_page("Cycle route along the river gets the go-ahead", body),
                    "https://valley-courier.example/transport/cycle-route-along-the-river-approved")
    assert article is not None and all(text in article.body for text in story)
    for notice in ("© Marie Keller", "signing up to our newsletter", "download the Courier apps", "view the full story",
                   "already a subscriber", "opinions expressed"):
        assert notice not in article.body


def test_german_notices_counters_and_update_stamps_are_dropped() -> None:
    """The same in German: the placeholder of a blocked embed that asks for consent, a download link with its file
    size, a view counter, a like button ("Gefällt mir Lade …"), the labels "Weitere Informationen" and
    "Quellenangaben", an update stamp, a donation appeal and the site's licence notice at the end."""
    body = f"""
<main><article><h1>Radweg an der Ill wird gebaut</h1>
  <div class="beitrag-text">{paragraphs(GERMAN_STORY[:2])}
    <div class="embed-placeholder"><div class="message">Wir respektieren deine Privatsphäre und stellen deshalb ohne
      dein Einverständnis keine Verbindung zu Twitter her.</div></div>
    {paragraphs(GERMAN_STORY[2:])}
    <p>Weitere Informationen zum Zeitplan lagen am Dienstag noch nicht vor.</p>
    <p>Aufrufe: 1120 | Hinzugefügt von: redaktion</p>
    <p><strong>Weitere Informationen</strong></p>
    <p><a href="/files/radweg.pdf">Beschluss des Gemeinderats vom 12. März 2024</a> PDF | 380 KB</p>
    <p>Gefällt mir Lade …</p>
    <p><b>Aktualisiert am</b> 17.03.2024.</p>
    <p>Jede kleine Spende hilft unserer unabhängigen Lokalredaktion!</p>
    <p>Weitere Infos unter www.radweg-ill.example.</p>
    <h4>Quellenangaben:</h4>
    <p>Planfeststellung des Regierungspräsidiums vom 3. Mai 2023<a href="/files/plan.pdf">PDF</a> | 38 KB</p>
    <p>Sofern nicht anders angegeben, stehen Inhalte dieser Website unter CC-BY.</p>
  </div>
</article></main>"""
    article = parse(html_page("Radweg an der Ill wird gebaut", body, lang="de"),
                    "https://stadtbote.example/lokales/radweg-an-der-ill-wird-gebaut")
    assert article is not None and all(text in article.body for text in GERMAN_STORY)
    assert "Weitere Informationen zum Zeitplan lagen" in article.body  # a sentence of the story, no label
    assert "Weitere Informationen" not in article.body.splitlines()
    for notice in ("Privatsphäre", "Aufrufe", "380 KB", "Gefällt mir", "Aktualisiert am",
                   "Spende", "Weitere Infos", "Quellenangaben", "38 KB", "Sofern nicht anders angegeben"):
        assert notice not in article.body


def test_a_paragraph_of_links_to_other_stories_is_dropped_however_long() -> None:
    """Blogs end a post with a paragraph that is nothing but links to other posts, run together ("See also …"):
    too long for the short link-line rule, but all link text in several links. A story paragraph with a link or two
    in it stays."""
    teasers = ("Bridge works close the towpath for two weeks", "Night buses return to the valley after two years",
               "Why the market hall car park costs more than planned", "Ten years of the river quarter association")
    links = " ".join(f'<a href="/2024/0{n}/post-{n}/">{title}</a>' for n, title in enumerate(teasers, 1))
    linked_story = ('The plan follows the <a href="/2023/transport-study/">transport study</a> of last year, which '
                    'counted cyclists at twelve points in the district over a whole summer.')
    inner = f"""
<div class="post"><h1>Cycle route along the river gets the go-ahead</h1>
  <div class="entry">{paragraphs(STORY)}<p>{linked_story}</p><p>{links}</p></div>
</div>"""
    article = parse(blog_page("Cycle route along the river gets the go-ahead", inner),
                    "https://riverside-notes.example/2024/03/cycle-route-along-the-river/")
    assert article is not None and all(text in article.body for text in STORY)
    assert "counted cyclists at twelve points" in article.body
    assert not any(title in article.body for title in teasers)


def test_a_picture_box_written_in_divs_loses_its_caption() -> None:
    """Templates build the <figure> of a picture out of <div>s ("image-box"): its text is the caption, dropped like
    a <figure>'s. A box named "photo" that holds a story's worth of text beside its picture is no caption."""
    caption = ("From the supermarket to the pump track: the new points on the map make it easier to plan a ride "
               "along the river with the club.")
    inner = f"""
<div class="post"><h1>Cycle route along the river gets the go-ahead</h1>
  <div class="entry">{paragraphs(STORY[:2])}
    <div class="image-box center"><img src="/img/map.png" alt=""><p class="to-image-box">{caption}</p></div>
    <div class="photo-story"><img src="/img/bridge.jpg" alt="">{paragraphs(STORY[2:])}</div>
  </div>
</div>"""
    article = parse(blog_page("Cycle route along the river gets the go-ahead", inner),
                    "https://riverside-notes.example/2024/03/cycle-route-along-the-river/")
    assert article is not None and all(text in article.body for text in STORY)
    assert "the new points on the map" not in article.body


def test_an_appeal_for_readers_money_and_an_also_on_our_site_heading_are_dropped() -> None:
    """Outlets without a paywall put a paragraph-long appeal for support in the story's box, and head their links to
    other pages "Also on valley-courier.example": neither is the story."""
    appeal = ("Did you like this article? When we launched the Valley Courier we decided against a paywall, and it will "
              "stay that way: we want as many people in the valley as possible to read local news. To depend less on "
              "advertising and to report even more, we need you. Support local journalism with a small monthly "
              "contribution and get our weekend edition as a thank-you.")
    body = f"""
<main><article><h1>Cycle route along the river gets the go-ahead</h1>
  <div class="entry-content">{paragraphs(STORY)}<p><strong>{appeal}</strong></p>
    <h2>Also on valley-courier.example</h2>
    <p>Night buses return to the valley</p>
  </div>
</article></main>"""
    article = parse(html_page("Cycle route along the river gets the go-ahead", body),
                    "https://valley-courier.example/transport/cycle-route-along-the-river-approved")
    assert article is not None and all(text in article.body for text in STORY)
    assert "Did you like this article" not in article.body and "Also on" not in article.body


def test_a_short_dated_brief_stays_an_article_once_its_furniture_is_gone() -> None:
    """A brief of two sentences on a page without structured data, under a URL that names one item and with its
    own date, is an article: dropping the furniture around it (here the "sur le même sujet" list) must not push it
    under the short-body floor, which is meant for pages with no story at all."""
    body = """
<div id="bodyContent"><div class="col2">
  <h1>La perte des terres fertiles menace les éléphants en Guinée</h1>
  <p>Vingt milliards de tonnes de terres fertiles sont perdues chaque année, selon une étude menée par un institut
  de recherche à Dakar, et les éléphants de Guinée en souffrent.</p>
  <p>Auteur : Awa Diallo</p>
  <p>Date 23.05.2011</p>
  <h4>Articles sur le même sujet</h4>
  <ul><li><a href="/fr/forets/a-6533001">Les forêts de Guinée reculent</a></li></ul>
</div></div>"""
    article = parse(html_page("La perte des terres fertiles menace les éléphants en Guinée", body, lang="fr"),
                    "https://monde-afrique.example/fr/la-perte-des-terres-fertiles/a-6533123")
    assert article is not None and "Vingt milliards de tonnes" in article.body
    assert "Les forêts de Guinée reculent" not in article.body


def headline_page(headline_html: str, between: str = "") -> str:
    return f"""
<main><div class="story">
  {headline_html}
  <div class="intro"><p>{LEAD}</p></div>{between}
  <div class="story-body">{paragraphs(STORY)}</div>
</div></main>"""


def test_the_spans_inside_the_headline_are_not_pruned_by_their_names() -> None:
    """Templates name the spans inside the <h1> after the boxes they were copied from ("…-breadcrumb-headline-
    title"): they are the headline's text, which the lead is found from, not a breadcrumb."""
    page = headline_page('<h1 class="paid-badge-headline"><span class="story-teaser-breadcrumb-headline-title">'
                         'Cycle route along the river gets the go-ahead</span></h1>')
    article = parse(html_page("Cycle route along the river gets the go-ahead", page),
                    "https://valley-courier.example/transport/cycle-route-along-the-river-approved")
    assert article is not None and article.body.startswith(LEAD) and STORY[-1] in article.body


def test_a_widgets_own_h1_goes_with_the_widget() -> None:
    """Only the page's first <h1> is kept when its furniture box goes; a widget's own <h1> between the lead and the
    body ("This portlet should not exist anymore") goes with the widget instead of posing as the headline."""
    page = headline_page("<h1>Cycle route along the river gets the go-ahead</h1>",
                         '<div class="portlet-widget"><h1>This portlet should not exist anymore</h1></div>')
    article = parse(html_page("Cycle route along the river gets the go-ahead", page),
                    "https://valley-courier.example/transport/cycle-route-along-the-river-approved")
    assert article is not None and article.body.startswith(LEAD) and "portlet" not in article.body


def test_what_a_pruned_box_holds_goes_with_it_but_the_headline_inside_is_still_judged() -> None:
    """prune() does not read inside a box it removes, except the box that holds the page's first <h1>: that
    headline is moved out and kept, so what is inside it is judged as usual (a hidden "opens in a new window" span
    goes), and a first <h1> that is itself hidden (a screen-reader site title in a share toolbar) goes too."""
    headline = "Cycle route along the river gets the go-ahead"
    kept_headline = headline_page(f'<div class="article-share-tools"><h1>{headline}<span class="sr-only"> (opens in a '
                                  'new window)</span></h1><a href="/share?fb">Share on Facebook</a></div>')
    hidden_first = headline_page(f"<h1>{headline}</h1>").replace(
        "<main>", '<div class="share-toolbar"><h1 class="visually-hidden">Valley Courier tools</h1>'
                  '<a href="/share?fb">Share on Facebook</a></div><main>')
    pruned = [prune(lxml.html.fromstring(html_page(headline, page))) for page in (kept_headline, hidden_first)]
    texts = [" ".join(" ".join(root.itertext()).split()) for root in pruned]
    assert all(headline in text and STORY[-1] in text and "Share on Facebook" not in text for text in texts)
    assert "opens in a new window" not in texts[0] and "Valley Courier tools" not in texts[1]
    assert [h1.text_content() for h1 in pruned[1].iter("h1")] == [headline]


def test_an_author_box_headed_in_spanish_or_italian_ends_the_story() -> None:
    """"About the author" ended the story; El País-style "Sobre la firma" and Italian "Sull'autore" boxes (the
    author's bio, with no class naming it) ran into the body."""
    for heading in ("Sobre la firma", "Sull'autore"):
        body = (f'<main><article><h1>Cycle route approved</h1><div class="story">{paragraphs(STORY)}'
                f"<h3>{heading}</h3><p>Lucía Ortega Blanco is a reporter of the national desk, covering housing "
                "and city planning since 2016.</p></div></article></main>")
        article = parse(html_page("Cycle route approved", body), "https://courier.example/news/cycle-route-approved")
        assert article is not None and article.body.endswith(STORY[-1]), heading
