"""GenericParser body rules that keep the whole story (issue 18, recall): parts of the story that stand beside, above
or around the container the text scoring elects. One realistic full page each, written for the rule it tests (no page
of a benchmark is copied here); each test fails without its rule (see the commit that brought the rule)."""

from __future__ import annotations

from tests.test_generic_body import html_page, parse


def sentences(*texts: str) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def test_paragraphs_beside_a_box_of_the_story_are_kept() -> None:
    """A post whose middle sits in a box of its own (a group block, a quote of several paragraphs) has more text in
    that box than in the paragraphs around it, so the box wins the scoring; the paragraphs beside it are the story's
    too (readability's rule for sibling paragraphs), the short link rows beside it are not."""
    group = sentences(
        "The first thing you notice about the new library is the light. The architects replaced the old concrete "
        "facade with tall windows, and on a clear morning the reading room needs no lamps at all until noon.",
        "The building has three floors instead of two. The ground floor holds the children's section, a café and a "
        "room for exhibitions; the first floor is for adults, and the top floor has twelve rooms for group work.",
        "Some things stayed as they were. The staircase from 1968 was restored rather than replaced, and the mosaic "
        "by a local artist that used to hang in the entrance hall now covers a whole wall of the café.",
        "The renovation took two years and cost 14 million euros, two million more than planned. The council blamed "
        "the rising price of building materials and the discovery of asbestos in the ceilings of the top floor.",
        "During the works the library moved into a former shoe shop on the high street, where it had a tenth of its "
        "usual space. Most books went into storage, and members could order them to be brought over within a day.")
    body = f"""
<main id="main"><article class="post">
  <h1 class="entry-title">A morning in the new town library</h1>
  <div class="entry-content">
    <p>After two years of building works the town library reopened on Saturday, and by ten o'clock the queue in front
    of the doors reached all the way to the market square. We spent the first morning there to see what has changed.</p>
    <div class="wp-block-group"><div class="wp-block-group__inner-container">{group}</div></div>
    <p class="more-links"><a href="/tag/library/">Library</a> · <a href="/tag/town-hall/">Town hall</a></p>
    <p>Opening hours are now the same on every weekday, from nine in the morning until eight in the evening, and the
    library is open on Saturdays until four. Membership stays free for children and costs twelve euros for adults.</p>
  </div>
</article></main>"""
    article = parse(html_page("A morning in the new town library", body),
                    "https://valley-courier.example/culture/a-morning-in-the-new-town-library")
    assert article is not None
    assert "The first thing you notice about the new library is the light." in article.body
    assert "Opening hours are now the same on every weekday" in article.body
    assert "Town hall" not in article.body and "Imprint" not in article.body


def test_a_story_set_in_a_heading_element_is_text() -> None:
    """Some templates set a whole short story (or its long lead) in an <h2>: a "heading" of several sentences is
    text, not a title, and outweighs the newsletter box beside it."""
    body = """
<main class="article-single"><div class="container"><div class="row">
  <div class="col-main">
    <h1 class="article-single__title">Swede gets a tattoo of the state epidemiologist</h1>
    <div class="article-single__meta"><a href="/authors/newsdesk">The Local</a> · 28 April 2020</div>
    <h2 class="article-single__excerpt">A man from Gothenburg has had the face of the country's state epidemiologist
    tattooed on his arm, after a tattoo studio advertised the design on social media as a joke and was surprised by
    how many people wanted it.<br><br>The epidemiologist has become a household name during the pandemic, and his
    calm daily press conferences have made him an unlikely celebrity, with fan pages, songs and T-shirts.<br><br>
    Asked about the tattoo last week by a local newspaper, he said he found it hard to understand but that people
    were of course free to decorate their bodies as they liked.<br><br>The studio said it had since tattooed the
    design on eleven customers and had given part of the money to a hospital fund for health workers.</h2>
  </div>
  <div class="col-side"><div class="signup-box">
    <p>Get daily news straight in your inbox. By signing up you agree to our Terms of Use and Privacy Policy. We
    will use your email address to send you newsletters as well as information and offers.</p>
  </div></div>
</div></div></main>"""
    article = parse(html_page("Swede gets a tattoo of the state epidemiologist", body, '<meta property="og:type" '
                              'content="article">'),
                    "https://valley-courier.example/2020/04/28/swede-gets-a-tattoo-of-the-state-epidemiologist")
    assert article is not None
    assert "Asked about the tattoo last week by a local newspaper" in article.body
    assert "Get daily news straight in your inbox" not in article.body


def test_the_lead_in_the_article_header_is_kept_when_no_headline_marks_it() -> None:
    """The headline stands in a box named "title" (pruned as page furniture) or reads differently from the page's
    <title>: nothing marks where the story starts. The <article> that holds the body does: the lead paragraph in
    its header, before the body box, is the story's."""
    paragraphs = sentences(
        "For parents of young children it is a familiar situation: the nursery calls, the child has a fever and must "
        "be picked up at once. Employees may then leave work, but whether they are paid for the time is another matter.",
        "The law gives each parent up to ten working days a year per child for caring for a sick child under twelve, "
        "and up to twenty-five days in total for several children. Single parents get twice as many days.",
        "Employers may ask for a doctor's certificate from the first day. Many collective agreements, however, give "
        "parents a few paid days before the health insurer steps in with sick-child benefit.",
        "The benefit amounts to ninety per cent of the net salary lost. Parents apply for it at their health "
        "insurer, which asks the employer to confirm the days of absence and the salary paid.",
        "Employees who are not covered by statutory health insurance have no right to the benefit. For them, the "
        "employment contract or a collective agreement decides whether the days off are paid at all.",
        "Small companies can claim back part of the salary they keep paying from a fund of the health insurers. "
        "The contribution to that fund is charged with the wages every month.")
    body = f"""
<main id="main"><article class="post post-full">
  <div class="article-header">
    <div class="headline-box"><span class="kicker">Sick child</span>
      <span class="headline-text">What employers need to know about parents' rights</span></div>
    <p class="article-excerpt">How many days a year may employees stay at home when their child is ill? Must the
    employer keep paying them? The most important questions and answers for small companies.</p>
    <div class="article-date">28 December 2022</div>
  </div>
  <div class="article-content">
    <h2>May parents leave work when their child is ill?</h2>
    {paragraphs}
  </div>
</article></main>"""
    article = parse(html_page("Sick child: what employers need to know", body),
                    "https://valley-courier.example/law/sick-child-what-employers-need-to-know/7297147.html")
    assert article is not None
    assert "How many days a year may employees stay at home" in article.body
    assert "28 December 2022" not in article.body


def test_a_story_cut_into_page_builder_components_is_kept_whole() -> None:
    """Content-management systems set a story as a row of components (text, text with picture, quote, subheading),
    each wrapped a few levels deep and named by its type: the scoring elects the longest one. Their common parent
    holds much more text and no link list at all, so it is the story; the teaser row after it is not."""
    def component(kind: str, inner: str) -> str:
        return (f'<div class="paragraph paragraph--type--{kind}"><div class="paragraph__wrapper"><div class="'
                f'container"><div class="row"><div class="col-12">{inner}</div></div></div></div></div>')

    body = f"""
<main class="layout-content"><article class="node node--type-article">
  <h1 class="page-title">Heating with pellets made from autumn leaves</h1>
  <div class="field field--name-field-paragraphs">
    {component("text", sentences(
        "Every autumn the town's parks department collects around 800 tonnes of leaves. Until now they went to a "
        "composting plant at a cost of 60,000 euros a year; from next winter they are to heat the depot instead.",
        "A pilot plant next to the depot dries the leaves, grinds them and presses them into pellets. Mixed with "
        "wood shavings from the carpentry workshop, they burn almost as cleanly as ordinary wood pellets."))}
    {component("heading", "<h2>Leaves burn hotter than expected</h2>")}
    {component("text-image", '<figure><img src="/img/pellets.jpg" alt=""></figure>' + sentences(
        "The first tests surprised the engineers. Dried leaves have about four fifths of the heating value of "
        "wood, and the ash can go back onto the flower beds, since the leaves come from the town's own parks.",
        "Problems remain. Leaves from roadside trees carry too much sand and salt and have to be sorted out, and "
        "the drying takes energy that the plant has to produce itself from part of its pellets.",
        "The engineers expect the plant to cover two thirds of the depot's heat demand in its first winter. The "
        "rest will come from the old gas boiler, which stays in place as a reserve for very cold weeks."))}
    {component("quote", "<blockquote><p>“You can burn these pellets just like ordinary ones, in any modern boiler, "
                        "and our tests show no more fine dust than with wood,” says the head of the pilot.</p>"
                        "</blockquote>")}
    {component("heading", "<h2>An application for funding has been filed</h2>")}
    {component("text", sentences(
        "The town has applied for funding from the state's climate programme, which could pay for half of the "
        "plant. A decision is expected in spring, in time for the second collection season.",
        "If the pilot works, the pellets could also heat two schools and the swimming pool. Other towns in the "
        "district have already asked to visit the plant when it starts running in October."))}
  </div>
  <div class="teaser-row"><h3>More from the region</h3><ul>
    <li><a href="/region/new-bus-timetable">New bus timetable from December</a></li>
    <li><a href="/region/market-square-works">Works on the market square start in March</a></li>
    <li><a href="/region/swimming-pool-prices">Swimming pool prices rise by one euro</a></li></ul></div>
</article></main>"""
    article = parse(html_page("Heating with pellets made from autumn leaves", body),
                    "https://valley-courier.example/region/heating-with-pellets-made-from-autumn-leaves-21677")
    assert article is not None
    for text in ("Every autumn the town's parks department", "Leaves burn hotter than expected",
                 "The first tests surprised the engineers", "You can burn these pellets just like ordinary ones",
                 "An application for funding has been filed", "If the pilot works, the pellets could also heat"):
        assert text in article.body, text
    assert "New bus timetable" not in article.body


def test_a_lead_in_a_box_named_teaser_is_kept_and_teaser_cards_are_not() -> None:
    """German and Austrian CMSs call the standfirst a "teaser" ("teaser-text"): a box with a paragraph of prose and
    no link at all is the story's own lead; the teaser cards of other stories link away and stay furniture."""
    paragraphs = sentences(
        "Der Landesjagdverband hat am Montag in Hannover seinen Jahresbericht vorgestellt. Demnach wurden im "
        "vergangenen Jahr so viele Wildunfälle gemeldet wie nie zuvor, vor allem auf Landstraßen in Waldnähe.",
        "Besonders betroffen sind die Monate April und Mai sowie Oktober und November, wenn Rehe und Wildschweine "
        "in der Dämmerung die Straßen queren. Der Verband rät, dort das Tempo deutlich zu verringern.",
        "Mehr als die Hälfte der Unfälle ereignet sich zwischen 18 und 22 Uhr. Wer ein Tier angefahren hat, muss "
        "die Unfallstelle sichern, die Polizei rufen und darf das Tier keinesfalls selbst mitnehmen.",
        "Die Versicherer zahlten im vergangenen Jahr nach eigenen Angaben rund 40 Millionen Euro für Schäden durch "
        "Wildunfälle allein in Niedersachsen, im Durchschnitt etwa 3.200 Euro je Fall.")
    body = f"""
<main id="content"><div class="news-single">
  <div class="article-head"><h1>Mehr Wildunfälle als je zuvor</h1>
    <div class="news-date">14.03.2022</div></div>
  <div class="teaser-text"><p>Der Jagdverband zählt so viele Zusammenstöße mit Rehen und Wildschweinen wie nie und
  fordert Tempolimits auf Landstraßen durch Waldgebiete, vor allem in der Dämmerung.</p></div>
  <div class="news-text">{paragraphs}</div>
  <div class="news-related"><h3>Das könnte Sie auch interessieren</h3>
    <div class="teaser"><a href="/news/wolf-sichtungen"><div class="teaser-text"><p>Wolfssichtungen im Landkreis
    nehmen zu: Was Spaziergänger und Hundehalter jetzt wissen sollten, erklärt die Wolfsberaterin.</p></div></a></div>
  </div>
</div></main>"""
    article = parse(html_page("Mehr Wildunfälle als je zuvor", body, lang="de"),
                    "https://valley-courier.example/news/mehr-wildunfaelle-als-je-zuvor")
    assert article is not None
    assert "Der Jagdverband zählt so viele Zusammenstöße" in article.body
    assert "Wolfssichtungen" not in article.body


def test_a_short_subheading_right_above_the_body_box_is_kept() -> None:
    """A subheading set between the headline's box and the body box, right above the body, is the body's first
    subheading however short it is (a longer one is the standfirst set as a heading, kept already)."""
    text = ("Am 4. Februar erscheint das vierte Album der Sängerin. Zwölf Songs, aufgenommen in Berlin und Stockholm, "
            "mit einer Band, die zum ersten Mal auch im Studio mit ihr spielt.<br><br>Die erste Single lief schon im "
            "Herbst im Radio, die zweite folgt im Januar gemeinsam mit einem Video, das in einer leeren Schwimmhalle "
            "gedreht wurde.<br><br>Im Frühjahr geht die Sängerin auf Tour, mit vierzehn Konzerten in Deutschland, "
            "Österreich und der Schweiz. Karten gibt es ab Freitag im Vorverkauf.")
    body = f"""
<div id="content"><div class="review">
  <div class="review-head"><h1>Leslie Lind – Brave New Days</h1>
    <div class="release-info">Veröffentlichung: 04.02.2022 · Label: North Records · Genre: Pop</div></div>
  <h2>Leslie Lind präsentiert ihr neues Album</h2>
  <div class="review-text">{text}</div>
  <div class="more-by-artist"><h3>Mehr von Leslie Lind</h3><ul><li><a href="/single/heart">Single: Heart</a></li>
  <li><a href="/album/gladys">Album: Gladys</a></li></ul></div>
</div></div>"""
    article = parse(html_page("Leslie Lind – Brave New Days", body, '<meta property="og:type" content="article">',
                              lang="de"), "https://valley-courier.example/music/leslie-lind/brave-new-days/")
    assert article is not None
    assert "Leslie Lind präsentiert ihr neues Album" in article.body
    assert "Am 4. Februar erscheint das vierte Album" in article.body and "Album: Gladys" not in article.body


def test_a_story_continued_in_a_repeat_of_its_page_row_after_an_ad_is_kept() -> None:
    """Layouts cut a story at an ad row into two page rows of the same kind, each with the story's text six levels
    down: the second part is a repeat of the same named wrapper, so it continues the story."""
    def story_row(variant: str, paragraphs: str) -> str:
        return (f'<section class="page-row page-row--story {variant}"><div class="container container--story">'
                f'<div class="grid-column grid-column--story"><div class="grid-row grid-row--story">'
                f'<div class="grid-column grid-column--story center"><div class="story-text">{paragraphs}</div>'
                f'</div></div></div></div></section>')

    first = sentences(
        "The congressman's surprise retirement, announced just thirty hours before the filing deadline, left "
        "Republicans in the district scrambling to find a candidate for the primary in March.",
        "Within hours a local activist and friend of the congressman's wife launched her campaign, and party "
        "officials quickly began to wonder whether she had been told about the retirement in advance.",
        "Her campaign website had been registered weeks earlier, records show, by a consultant who has worked "
        "for the congressman for years. The consultant did not respond to requests for comment.",
        "Several other candidates said they had been given no chance to prepare. One state senator said he would "
        "still file, but that the timing had made it much harder to raise money and collect signatures.")
    second = sentences(
        "The congressman's office said the timing had nothing to do with any candidate and that he had told "
        "his family first. Party officials in the state said they would not take sides in the primary.")
    body = f"""
<main><div class="page-content page-content--story">
  <header class="story-header"><h1>Congressman accused of timing retirement to help a friend</h1></header>
  {story_row("first", first)}
  <section class="ad-row"><div class="ad-slot">Advertisement</div></section>
  {story_row("second", second)}
</div></main>"""
    article = parse(html_page("Congressman accused of timing retirement to help a friend", body,
                              '<meta property="og:type" content="article">'),
                    "https://valley-courier.example/news/2019/12/30/congressman-retirement-timing-090838")
    assert article is not None
    assert "Within hours a local activist" in article.body
    assert "Party officials in the state said they would not take sides" in article.body


def test_a_dateline_that_opens_the_first_sentence_is_kept() -> None:
    """Wire-style stories open with a dateline set in a span named "dateline": it is the start of the first
    sentence, not a date in the page chrome."""
    paragraphs = sentences(
        "The masks had been stored in a room next to the emergency ward, which staff said was usually locked at "
        "night. The theft was noticed on Monday morning when a nurse went to restock the ward.",
        "Masks have been in short supply across the country since the outbreak began, and several pharmacies have "
        "limited sales to one pack per customer. Police said they were checking online auction sites.",
        "The hospital said it still had enough masks for its own staff for about two weeks and had asked the "
        "prefecture for a new delivery. It has since moved its stock to a room with a camera.")
    body = f"""
<main><article class="story">
  <h1>6,000 surgical masks stolen from hospital</h1>
  <div class="byline-box"><span class="author">By Staff Writer</span> <time>Feb 18, 2020</time></div>
  <div class="entry" id="story-text">
    <p><span class="dateline">KOBE – </span>A total of 6,000 surgical masks have been lost at a hospital in Kobe,
    it was learned Tuesday. Prefectural police are investigating the incident as a case of theft.</p>
    {paragraphs}
  </div>
</article></main>"""
    article = parse(html_page("6,000 surgical masks stolen from hospital", body, '<meta property="og:type" '
                              'content="article">'),
                    "https://valley-courier.example/news/2020/02/18/national/6000-surgical-masks-stolen/")
    assert article is not None
    assert article.body.startswith("KOBE – A total of 6,000 surgical masks")
    assert "By Staff Writer" not in article.body


def test_a_first_subheading_that_names_a_year_is_no_date_line() -> None:
    """The body's first line is trimmed when it is a date line ("19 November 2019, 06:21"); a subheading that only
    names a year ("1968 to today: …") states no date and stays, while the real date line above it still goes."""
    paragraphs = sentences(
        "In 1968 the choir's director founded a wind band for the boys whose voices had broken, so that they could "
        "go on making music together. It started with eleven players and instruments lent by the parish.",
        "Today the band has more than sixty members, plays at church festivals and in the town's Christmas concert, "
        "and travels abroad every other summer. Its youngest players are nine years old.",
        "Rehearsals take place every Thursday evening in the parish hall. New members are welcome at any time, and "
        "the band lends instruments to beginners for their first year.")
    body = f"""
<div id="page"><div id="content" class="content">
  <h1>Our history</h1>
  <div class="text">
    <p>Updated: 12 March 2023, 10:15</p>
    <h2>1968 to today: the boys' wind band</h2>
    {paragraphs}
  </div>
</div></div>"""
    article = parse(html_page("Our history", body, '<meta property="og:type" content="article">'),
                    "https://valley-courier.example/choir/our-history.html")
    assert article is not None
    assert article.body.startswith("1968 to today: the boys' wind band")


def test_a_list_of_unlinked_items_beside_the_story_is_kept_and_a_link_list_is_not() -> None:
    """A recipe's ingredient list or a story's fact box stands beside the text in a box of its own, its items too
    short to count as text: a list of unlinked items beside the story is the story's; a list of links is not."""
    steps = sentences(
        "Preheat the oven to 180 degrees. Butter a baking tin of 26 centimetres and dust it with a little flour, "
        "then drain the cherries in a sieve and keep the juice for the glaze.",
        "Beat the butter with the sugar until pale, then add the eggs one at a time. Fold in the flour and the "
        "baking powder, spread half of the dough in the tin and cover it with the cherries.",
        "Stir the cocoa into the rest of the dough, spread it over the cherries and draw a fork through both "
        "layers to marble them. Bake for about 50 minutes and leave the cake to cool in the tin.",
        "Cook the pudding with the milk as the packet says, let it cool a little, spread it over the cake and "
        "top it with the marshmallows. Brown them briefly with a kitchen torch before serving.")
    body = f"""
<main id="main"><article class="recipe">
  <h1>Marbled cherry cake with marshmallows</h1>
  <section class="ingredients"><h2>Ingredients</h2><ul class="ingredient-list">
    <li>1 jar of morello cherries (720 ml)</li><li>250 g soft butter</li><li>200 g sugar</li><li>4 eggs</li>
    <li>300 g flour</li><li>1 packet of vanilla pudding powder</li><li>500 ml milk</li>
    <li>100 g mini marshmallows</li></ul></section>
  <div class="preparation"><h2>Preparation</h2><div class="steps">{steps}</div></div>
  <section class="more-recipes"><h2>More cakes</h2><ul>
    <li><a href="/recipes/lemon-sheet-cake">Lemon sheet cake</a></li><li><a href="/recipes/apple-crumble">Apple
    crumble</a></li><li><a href="/recipes/plum-cake">Plum cake</a></li></ul></section>
</article></main>"""
    article = parse(html_page("Marbled cherry cake with marshmallows", body, '<meta property="og:type" '
                              'content="article">'), "https://valley-courier.example/recipes/marbled-cherry-cake-77975")
    assert article is not None
    assert "200 g sugar" in article.body and "4 eggs" in article.body and "Preheat the oven" in article.body
    assert "Lemon sheet cake" not in article.body


def test_the_body_marked_in_microdata_outweighs_a_longer_list_of_excerpts() -> None:
    """A short column above a longer list of the columnist's earlier pieces, each an unlinked excerpt under a linked
    title: by length alone the list is the densest text. The page marks its body with schema.org microdata
    (`itemprop="articleBody"`, the visible twin of JSON-LD's articleBody): a second source that says which text is
    the story, so it guides the choice as the JSON-LD articleBody does."""
    column = sentences(
        "Every spring the same argument returns to the council chamber: the old swimming pool costs too much to run, "
        "and a new one would cost even more to build. This year the argument has a deadline attached to it.",
        "The pool's boiler failed twice this winter, and the engineers who patched it up say they cannot promise a "
        "third repair. Without a decision by June, the pool will not open in September, and perhaps never again.",
        "It is easy to see why the council hesitates. Eleven million euros is more than the town spends on its roads "
        "in three years, and the grant from the state covers less than a third of it, under the best assumptions.",
        "But a town without a pool is a town whose children learn to swim somewhere else, or not at all. The school "
        "board already counts a fifth of ten-year-olds who cannot swim a length; closing the pool would not help.")
    earlier = "".join(
        f'<li><a href="/opinion/column-{number}/">{title}</a> {text}</li>' for number, (title, text) in enumerate((
            ("Why the market square needs fewer cars", "The square was built for people, not for parking. Twenty "
             "years ago the town removed the fountain to make room for forty spaces, and the cafés that used to put "
             "their tables outside moved to the side streets. It is time to ask whether the trade was worth it."),
            ("What the library teaches us about patience", "Two years of building works, two million euros over "
             "budget and a temporary home in a shoe shop: the library's renovation tested everyone's patience. Now "
             "that it has reopened, the queue in front of its doors is the best answer to those who doubted it."),
            ("The bus timetable nobody can read", "The new timetable was meant to make the night buses easier to use. "
             "Instead it comes as a forty-page booklet whose tables need a magnifying glass and whose footnotes "
             "contradict each other. A simple map at each stop would have done more, and cost far less to print."),
            ("A harvest festival worth keeping", "Some thought the harvest festival had had its day when the last "
             "farm in the valley closed. This year's crowd proved them wrong: more than five thousand visitors came, "
             "most of them families from the new estates, who had never seen a tractor parade before in their life."),
            ("Let the allotments stay where they are", "The plan to move the allotments to the edge of town to make "
             "room for housing looks neat on paper. On the ground it means taking away gardens that families have "
             "tended for forty years, and offering in their place a field with no water, no shade and no bus stop."),
        ), start=1))
    body = f"""
<main class="content"><article class="opinion" itemscope itemtype="https://schema.org/OpinionNewsArticle">
  <h1 itemprop="headline">The pool cannot wait another year</h1>
  <p class="stamp">A column by Anna Berger · 14 March 2024</p>
  <div class="opinion-text" itemprop="articleBody">{column}</div>
</article>
<section class="columnist-archive"><h2>Earlier columns by Anna Berger</h2><ul class="archive-list">{earlier}</ul>
</section></main>"""
    article = parse(html_page("The pool cannot wait another year", body),
                    "https://valley-courier.example/opinion/the-pool-cannot-wait-another-year")
    assert article is not None
    assert "The pool's boiler failed twice this winter" in article.body
    assert "closing the pool would not help." in article.body
    assert "Twenty years ago the town removed the fountain" not in article.body


def test_the_question_of_a_q_and_a_page_is_kept_with_its_answers() -> None:
    """A Q&A page (schema.org QAPage microdata): the question is short, the answers below it are long, so the answers'
    box wins the container choice alone. The `text` of the page's Question item opens the thread: it is content as
    much as the answers are, quoted example and short lines included. The vote counts and the sidebar stay out."""
    answers = "".join(f"""
    <div class="answer" itemprop="suggestedAnswer" itemscope itemtype="https://schema.org/Answer">
      <div class="votes"><span itemprop="upvoteCount">{votes}</span></div>
      <div class="post-text" itemprop="text">{sentences(*texts)}</div>
      <div class="post-signature">answered by <a href="/users/{votes}/">{user}</a></div>
    </div>""" for votes, user, texts in (
        (14, "kestrel", ("Rainwater itself is slightly acidic, which is fine for most garden plants. The problem is "
                         "usually not the water but what the barrel is made of and how long the water stands in it.",
                         "An old barrel that once held oil or chemicals can leach residues into the water for years. "
                         "If you do not know what it held, do not use its water on anything you intend to eat.",
                         "Standing water in summer also grows algae and bacteria. Use it within a week or two, keep a "
                         "lid on the barrel and clean it out once a year, and there is nothing to worry about.")),
        (6, "fernhill", ("I have watered tomatoes and courgettes with water from a roof barrel for twenty years, and "
                         "the plants have never done better than with it. Tap water here is hard and full of lime.",
                         "The one thing I would avoid is water from a roof with copper or bitumen on it, or from a "
                         "gutter that collects moss killer. Wash the vegetables as you would anyway before eating.")),
    ))
    body = f"""
<div class="container" itemscope itemtype="https://schema.org/QAPage"><div id="content">
  <div id="question-header"><h1 itemprop="name">Is it safe to water vegetables with rainwater from a barrel?</h1>
    <div class="question-stats">Asked 3 years ago · Viewed 4k times</div></div>
  <div id="mainbar">
    <div class="question" itemprop="mainEntity" itemscope itemtype="https://schema.org/Question">
      <div class="votes"><span itemprop="upvoteCount">9</span></div>
      <div class="post-text" itemprop="text">
        <p>We collect rainwater from the shed roof in a plastic barrel.</p>
        <blockquote><p>Never use collected rainwater on edible plants.</p></blockquote>
        <p>A neighbour told us this. Is that true, and why?</p>
      </div>
    </div>
    <div id="answers"><h2>2 Answers</h2>{answers}</div>
  </div>
  <div id="sidebar-related"><h4>Linked</h4><ul><a href="/q/1">Can I drink rainwater?</a></ul></div>
</div></div>"""
    article = parse(html_page("Is it safe to water vegetables with rainwater from a barrel?", body),
                    "https://gardening.valley-courier.example/questions/2231/rainwater-barrel-vegetables")
    assert article is not None
    assert "We collect rainwater from the shed roof in a plastic barrel." in article.body
    assert "Never use collected rainwater on edible plants." in article.body
    assert "Is that true, and why?" in article.body
    assert "Rainwater itself is slightly acidic" in article.body and "Wash the vegetables" in article.body
    assert "Asked 3 years ago" not in article.body and "Can I drink rainwater?" not in article.body


def test_a_guide_page_of_deeply_nested_modules_is_kept_whole() -> None:
    """A guide page built from modules, each wrapped ten levels deep (section, container, row, column, card,
    collapsible panel, body, row, column, text): the longest module wins the scoring, and the page wrapper that holds
    all of them, far above it, has much more text and no link list at all. That wrapper is the guide; how far up it
    sits says nothing about whether it is."""
    def module(number: int, heading: str, *texts: str) -> str:
        return (f'<section class="module" id="module-{number}"><div class="container"><div class="row"><div class='
                f'"col-lg-8"><div class="card"><h2 class="card-header">{heading}</h2><div class="collapse show" '
                f'id="module-{number}-panel"><div class="card-body"><div class="row"><div class="col-12"><div class='
                f'"text">{sentences(*texts)}</div></div></div></div></div></div></div></div></div></section>')

    body = f"""
<main id="main"><div class="page-wrapper">
  <h1 class="guide-title">Loan interest: what decides the rate you pay</h1>
  {module(1, "How the rate is set",
          "The interest rate of a personal loan depends on two things: the general level of rates, which follows the "
          "central bank, and the lender's view of how likely you are to pay the loan back in full and on time.",
          "The second part is where borrowers differ. Two people asking for the same amount on the same day can be "
          "offered rates several percentage points apart, depending on their income, their debts and their history.")}
  {module(2, "What lenders look at",
          "Lenders look first at your credit report: unpaid bills, many open credit lines or recent applications "
          "count against you. Then they look at your income, how steady it is and how much of it is already spoken for.",
          "A permanent employment contract and savings or other assets that could secure the loan help most. "
          "Self-employed borrowers are usually asked for the tax returns of the last two or three years.",
          "Some lenders also weigh how long you have lived at your address and how long you have had your bank "
          "account. None of these counts alone; together they decide which rate class you are put in.",
          "The rate class is what the advertised rate hides. A 'from 2.9 %' offer applies to the best class only, "
          "and most borrowers end up one or two classes below it, paying a noticeably higher rate.")}
  {module(3, "Fixed or variable",
          "Most personal loans have a fixed rate for their whole term, so the monthly payment never changes. "
          "Variable rates start lower but follow the market, and can rise sharply over a term of five years or more.",
          "If your budget leaves little room, a fixed rate is the safer choice even when it costs a little more at "
          "the start. A variable rate pays off mainly when rates are expected to fall during the loan's term.")}
  {module(4, "Lowering the rate",
          "Comparing offers is the simplest way to a lower rate: lenders' rates for the same borrower differ widely. "
          "A second borrower with a steady income on the contract can also lower it, since the risk is shared.")}
</div></main>"""
    article = parse(html_page("Loan interest: what decides the rate you pay", body),
                    "https://valley-courier.example/money/guides/loan-interest")
    assert article is not None
    for text in ("The interest rate of a personal loan depends on two things", "A permanent employment contract",
                 "Most personal loans have a fixed rate", "Comparing offers is the simplest way"):
        assert text in article.body, text


def test_a_standfirst_beside_the_body_box_is_kept_when_no_headline_or_article_marks_the_start() -> None:
    """The headline is in no heading element (a box named "title", pruned as furniture) and the page has no
    <article>: nothing anchors
    the lead. The standfirst, set as a long <h2> in a box of its own right before the body box, is still the
    story's: the box that holds the body's box marks where the story starts. The page's slogan above it does not."""
    paragraphs = sentences(
        "The home favourite had gone without a podium in both earlier races of the week, but on Sunday she hit all "
        "twenty targets and crossed the line almost half a minute ahead of the world champion from Norway.",
        "It was her first win of the season and the first on home snow for two years. Thousands of spectators in "
        "the stadium, many of them from her own village, greeted her with bells and flags at the finish.",
        "Her coach said afterwards that the team had changed little: the skis were the same and so was the "
        "training, only the nerves at the shooting range had been calmer than at any race before this winter.",
        "In the relay on Saturday the team had finished fourth, six seconds short of a medal, after a penalty loop "
        "on the last leg. The next races are in two weeks, at the world championships in the Alps.")
    body = f"""
<div class="pagecontent"><div class="claim"><p>The valley's sports magazine since 1998</p></div>
  <div class="maincontent"><section class="detail magazine-detail">
    <div class="news-title"><strong>Home favourite wins the last race of the week</strong></div>
    <div class="detail-content">
      <div class="intro"><h2>Twice she left the stadium empty-handed this week, but in the last race of the World
      Cup stage she finally beat the whole field, with a clean shooting record.</h2></div>
      <div class="text-body">{paragraphs}</div>
    </div>
  </section></div>
</div>"""
    article = parse(html_page("Home favourite wins the last race of the week", body),
                    "https://valley-courier.example/sport/home-favourite-wins-the-last-race-of-the-week-3178")
    assert article is not None
    assert "Twice she left the stadium empty-handed this week" in article.body
    assert "Her coach said afterwards" in article.body
    assert "sports magazine since 1998" not in article.body


def test_a_subheading_classed_as_a_title_is_kept_and_a_widget_title_is_not() -> None:
    """A heading classed "section__title" or "sub-headline" is named for what it is; it titles the paragraphs of its
    section and is the story's. A "title" heading over nothing but an embed or links ("Like this:") is a widget's,
    and one with any other furniture word ("related-title") names the box it titles."""
    body = f"""
<main><article class="report">
  <h1>Night buses return to the valley line</h1>
  <div class="report__body">
    <h2 class="report-section__title">What changes</h2>
    {sentences("From Monday three night buses will run on the valley line again, leaving the station at midnight, "
               "one o'clock and two, after a break of more than four years in which the last bus left at eleven.",
               "The new timetable was agreed by the council and the bus company after a petition signed by more than "
               "two thousand residents, most of them shift workers at the hospital and the factories in the valley.")}
    <h2 class="report-section__title">Who pays</h2>
    {sentences("The council pays for the first year from its transport budget, some 180,000 euros, and will decide "
               "next spring whether the buses carry enough passengers to keep them running after that.")}
    <div class="likes-box"><h3 class="likes-box__title">Like this:</h3><iframe src="/likes"></iframe></div>
    <h3 class="related-title">More from the valley</h3>
  </div>
</article></main>"""
    article = parse(html_page("Night buses return to the valley line", body),
                    "https://valley-courier.example/transport/night-buses-return")
    assert article is not None
    assert "What changes" in article.body and "Who pays" in article.body
    assert "Like this" not in article.body and "More from the valley" not in article.body


def test_a_module_named_for_its_headline_that_holds_prose_is_the_story() -> None:
    """Page builders set a story as modules of a heading and its text ("headline-with-text", "title-paragraph"): a
    box named for its headline or title that holds paragraphs of prose is the story's, like a "widget" or "header"
    that does; a title box with no prose (a label and a link) is still furniture."""
    module = """<div class="container-fluid headline-with-text"><div class="row"><h2>{title}</h2>{text}</div></div>"""
    body = f"""
<main><div class="intro">{sentences(
        "Liquefied gas heats more than half a million homes that have no connection to the gas grid, most of them "
        "in villages far from the cities; the industry now wants to replace part of it with gas made from waste.",
        "The new gas is chemically different but burns in the same boilers, and the first tanks filled with a mix "
        "of both were delivered to households in the north of the country this autumn.")}</div>
  <div class="title-bar"><span>Topic</span> <a href="/topics/energy">Energy</a></div>
  {module.format(title="Made from waste", text=sentences(
        "The gas is made from the residues of sugar production and from used cooking fat, which would otherwise be "
        "burnt or thrown away. A plant in the port can make twenty thousand tonnes of it a year.",
        "The makers say that a mix with a fifth of the new gas cuts the emissions of a heating system by almost as "
        "much, and that the boilers need no change for it.",
        "Larger shares need new seals and valves, which the makers of boilers have started to test this year."))}
  {module.format(title="What households pay", text=sentences(
        "For now the mix costs a little more than the gas it replaces, about four cents a litre, which the suppliers "
        "say will fall once the second plant opens and the tax on the new gas is cut.",
        "Households that want the mix can ask their supplier for it at the next delivery; no contract needs to be "
        "changed, and the price is shown on the invoice as a separate line."))}
</main>"""
    article = parse(html_page("Heating gas from waste", body), "https://valley-courier.example/energy/heating-gas")
    assert article is not None
    assert "residues of sugar production" in article.body and "about four cents a litre" in article.body
    assert "Topic" not in article.body


def test_a_box_named_for_another_article_or_an_action_on_one_is_furniture() -> None:
    """An article word after a furniture word names another article or an action on this one ("next-post",
    "related-article", "like-post-wrapper"), not the article: the box is furniture, as "post-content" is not."""
    body = f"""
<main><article class="post">
  <h1 class="entry-title">The mill pond is full again</h1>
  <div class="post-content">{sentences(
        "After three dry summers the old mill pond at the end of the valley is full again, thanks to the long rains "
        "of October and a new sluice that the village association built with its own hands over the summer.",
        "The pond had almost dried out last year, and the fish had to be moved to a lake in the next valley. They "
        "will be brought back in spring, when the water has settled and the plants on the banks have grown.")}
    <div class="sd-like likes-widget-wrapper" id="like-post-wrapper-1852">
      <span>Like this post? Loading the likes of other readers...</span>
    </div>
  </div>
</article></main>"""
    article = parse(html_page("The mill pond is full again", body), "https://valley-courier.example/local/mill-pond")
    assert article is not None
    assert "the fish had to be moved" in article.body
    assert "Loading" not in article.body


def test_the_standfirst_in_a_header_box_with_the_headline_and_byline_links_is_kept() -> None:
    """A "header" box that holds the page's headline is the story's header: its standfirst is the story's even when
    the box also holds breadcrumbs and a linked byline (the breadcrumbs go on their own)."""
    body = f"""
<main><div class="l-container">
  <header class="m-intro-header">
    <nav class="m-breadcrumb"><a href="/">Home</a> › <a href="/farming/">Farming</a></nav>
    <h1 class="a-title">Minister open to a start-up grant for young farmers</h1>
    <p class="a-lead">The farming youth associations want a grant for young people who take over or set up a farm.
    At a first meeting the minister said she was open to the idea.</p>
    <div class="m-metadata">By <a href="/authors/jane-roe">Jane Roe</a> · <time>21 January 2022</time></div>
  </header>
  <div class="m-article-body">{sentences(
        "The associations asked for a one-off payment of up to seventy thousand euros for each young farmer, paid "
        "over five years, as several neighbouring regions already do. Fewer and fewer farms find a successor.",
        "The minister did not name a sum. She wants to look at how the grants work elsewhere first, and to talk to "
        "the banks, which lend most of the money that a young farmer needs to take over a farm.")}</div>
</div></main>"""
    article = parse(html_page("Minister open to a start-up grant for young farmers", body),
                    "https://valley-courier.example/farming/start-up-grant")
    assert article is not None
    assert article.body.startswith("The farming youth associations want a grant")
    assert "Home" not in article.body and "Farming" not in article.body


def test_the_standfirst_above_a_story_cut_into_one_box_per_question_is_kept() -> None:
    """A page builder sets an interview as one text module per question and answer. The module with the longest
    answer wins the scoring and the others join it as its kind; the standfirst above the first module is the story's
    lead, however far above the winning module it stands."""
    answers = [
        "I grew up two streets from the harbour, and my grandfather took me out on his boat every Sunday. Some of my "
        "first memories are of the smell of diesel and fish, and of him singing the same three songs over the engine.",
        "Not at first. I trained as a nurse and worked in the hospital for eight years, and the boats were something "
        "for weekends. Then the hospital cut the night shifts and I had the choice of a desk job or something else.",
        "The first winter was hard. I had bought a boat that needed more work than I thought, and the quota I could "
        "afford was small, so I spent more days repairing the engine than fishing. My family thought I was mad.",
        "They are mostly older men, and some of them were not happy to see a woman at the quay. But the sea does not "
        "care who you are, and after the storm in my second year, when I towed a neighbour's boat home, it changed.",
        "The quotas are the biggest problem. Young people cannot afford them, so the fleet gets older every year. In "
        "ten years there may be no boats left in this harbour at all unless the rules change and the banks help. " * 6,
        "More of the same, I hope. I want to buy a second boat and take on an apprentice, and I would like that to be "
        "a young woman from the town, so that the next girl who wants to fish does not have to be the first.",
    ]
    questions = ["Where did it start?", "Did you always want to fish?", "How did the first year go?",
                 "What do the other skippers say?", "What worries you most?", "What comes next?"]
    modules = "".join(  # each answer told twice as long: the modules above the longest hold 1,800 characters
        f'<div class="builder-text"><div class="builder-text__inner"><h3>{question}</h3><p>{answer} {answer}</p>'
        '</div></div>' for question, answer in zip(questions, answers))
    body = f"""
<main><article class="post">
  <div class="post-head">
    <h1 class="post-title">The last fisherwoman of the harbour</h1>
    <p class="post-intro">She gave up nursing to buy a fishing boat, and is now the only woman among the forty
    skippers of the harbour. We met her on the quay before dawn to talk about quotas, storms and what comes next.</p>
  </div>
  <div class="builder-row">{modules}</div>
</article></main>"""
    article = parse(html_page("The last fisherwoman of the harbour", body),
                    "https://valley-courier.example/people/the-last-fisherwoman-of-the-harbour")
    assert article is not None
    assert "She gave up nursing to buy a fishing boat" in article.body
    assert "I grew up two streets from the harbour" in article.body


def test_plain_wrappers_around_the_parts_of_a_story_are_one_component() -> None:
    """A CMS wraps each part of a story (a text part, an embedded post, a gallery) in plain <div>s around the named
    part. The text parts beside each other are one story even though the <div>s around them carry no class; the
    embedded post between them stays out."""
    def part(kind: str, inner: str) -> str:
        return f'<div><div class="part part--{kind}"><div>{inner}</div></div></div>'

    embed = ('<blockquote class="social-embed"><a href="https://social.example/p/1">View this post on the app</a>'
             '<p><a href="https://social.example/u/band">A post shared by the band</a> on June 16, 2019</p>'
             '</blockquote>')
    body = f"""
<main><article class="node">
  <h1 class="node-title">The singer's comeback tour sells out in an hour</h1>
  <div class="node-content"><div><div>
    {part("text", sentences(
        "Tickets for the singer's first tour in six years sold out within an hour on Friday morning, and the "
        "promoter has already added two more dates in the capital for the end of next year.",
        "The tour starts in March in the city where she grew up and ends in September with three nights at the "
        "stadium. Fans queued through the night at the box office, which still sells a share of the tickets."))}
    {part("embed", embed)}
    {part("text", sentences(
        "On her own channels the singer thanked her fans and wrote that she had not expected this after so many "
        "years away. She is rehearsing with the band that played on her first two records, she said."))}
    {part("embed", embed)}
  </div></div></div>
</article></main>"""
    article = parse(html_page("The singer's comeback tour sells out in an hour", body),
                    "https://valley-courier.example/music/the-singers-comeback-tour-sells-out")
    assert article is not None
    assert "Tickets for the singer's first tour in six years" in article.body
    assert "she had not expected this after so many years away" in article.body
    assert "A post shared by" not in article.body


def test_a_description_copied_from_the_first_paragraph_stays_in_the_body() -> None:
    """When no one writes a description, the CMS copies the story's first paragraph into it. That paragraph stands in
    the body's own box, first of the story, and stays the body's; a standfirst printed apart above the box, in the
    header beside the headline, is the subtitle and leaves the body as before. (The subtitle is the description
    either way: it is shown on the page.)"""
    first = "The council has a new date for the opening of the swimming pool: the first of March."
    description = f'<meta name="description" content="{first}"><meta property="og:description" content="{first}">'
    story = sentences(
        first,
        "The date is three months later than the council planned when the works began in the spring. The builders "
        "found that the old pipes under the pool were in a worse state than the survey had shown, and had to be "
        "replaced before the new tiles could go in.",
        "Swimming clubs have trained in the pool of the next town since the summer. The council pays for the bus "
        "that takes the children there twice a week, and will do so until the pool reopens in March.")
    body = f"""
<main><article class="post">
  <h1 class="post-title">Swimming pool to reopen in March</h1>
  <div class="post-meta"><time datetime="2024-11-12">12 November 2024</time></div>
  <div class="post-body">{story}</div>
</article></main>"""
    article = parse(html_page("Swimming pool to reopen in March", body, description),
                    "https://valley-courier.example/region/swimming-pool-to-reopen-in-march")
    assert article is not None
    assert article.body.startswith(first)

    standfirst = f'<p class="post-standfirst">{first}</p>'
    apart = body.replace('<div class="post-meta">', standfirst + '<div class="post-meta">').replace(
        f"<p>{first}</p>", "")
    article = parse(html_page("Swimming pool to reopen in March", apart, description),
                    "https://valley-courier.example/region/swimming-pool-to-reopen-in-march")
    assert article is not None
    assert article.body.startswith("The date is three months later")
    assert article.subtitle == first


def test_a_row_of_teasers_with_linked_titles_does_not_outweigh_a_short_story() -> None:
    """A list of other stories is cards of a linked title and a line of teaser text, and the teaser text reads as
    prose: without its titles costing what links cost, the row outweighs a short story. Several linked headings
    within a few levels of one box make it that list; a single linked heading in the story (its download) does not."""
    cards = "".join(
        f'<li><article class="card"><h3 class="card__title"><a href="/region/{slug}">{title}</a></h3>'
        f'<p class="card__text">{text}</p></article></li>'
        for slug, title, text in (
            ("bridge", "The old bridge will be closed all summer",
             "Cars and buses will have to take the long way round through the industrial estate while the bridge "
             "over the river gets new bearings, and cyclists will get a ferry that runs every twenty minutes."),
            ("market", "The Saturday market moves to the square",
             "After forty years in the car park behind the town hall the market moves back to the square where it "
             "began, and the stallholders hope the move will bring back the customers they lost in the pandemic."),
            ("school", "A new primary school for the eastern quarter",
             "The council has bought the land for a primary school with twelve classes, and the building should be "
             "ready in three years; until then the children will be taught in containers beside the sports hall."),
            ("choir", "The town choir celebrates its hundredth birthday",
             "With a concert in the church, an exhibition of old photographs and a party in the park, the choir "
             "celebrates a century of singing, and it is still looking for tenors who can read music.")))
    body = f"""
<main><div class="page">
  <article class="story">
    <h1 class="story__title">Water bills to rise by six percent</h1>
    <div class="story__body">{sentences(
        "Households will pay six percent more for their water from January, the utility announced on Tuesday. "
        "A family of four will pay about forty euros more a year than it does now, and a single person twelve.",
        "The utility says the money is needed to replace the oldest pipes in the network, some of which are more "
        "than a hundred years old and burst several times a year, and to build a second reservoir for dry years.")}
      <h3><a href="/files/water-prices-2025.pdf">The new price list (PDF)</a></h3>
    </div>
  </article>
  <section class="more-stories"><h2>More from the region</h2><ul class="cards">{cards}</ul></section>
</div></main>"""
    article = parse(html_page("Water bills to rise by six percent", body, '<meta property="og:type" content="article">'),
                    "https://valley-courier.example/region/water-bills-to-rise-by-six-percent")
    assert article is not None
    assert "Households will pay six percent more for their water" in article.body
    assert "The old bridge will be closed" not in article.body and "Cars and buses" not in article.body
