"""Deterministic Devdiscourse articles for tests: the seed article and a varied synthetic corpus.

``seed_spec()`` rebuilds the captured seed page's row (shared/devdiscourse/seed-article.txt).
``corpus(n, seed=0)`` makes ``n`` varied ``NewsSpec`` rows (wires, desk rewrites, UN News, PR Newswire,
AFP, blogs, a live blog…), each body generated from word/sentence pools so no two are near-duplicates.
``Body`` builds a stored TinyMCE body and its reader-visible blocks side by side, so expected parser
output comes from what we *meant* to write, not from parsing rendered pages.
"""

from __future__ import annotations

import html
import random
import re
from datetime import datetime, timedelta, timezone
from html.entities import codepoint2name
from typing import Literal

from tests.sitegen.devdiscourse import (
    AI_IMAGE_CAPTION,
    BLOG_DISCLAIMER,
    SYNDICATED_NOTE,
    BodyBlock,
    LiveUpdateSpec,
    NewsSpec,
    clean_description,
    to_ist,
)

SEED_ID = 3301234

_UPDATE_SENTENCES = [
    "Counting resumed after a short break at the district centre.",
    "Early trends show the ruling alliance ahead in most seats.",
    "Officials said turnout figures would be revised by the evening.",
    "Party workers gathered outside the counting centre as results came in.",
    "The election commission said postal ballots were counted first.",
    "Security was tightened around the strong rooms overnight.",
    "Opposition leaders said they would wait for the final tally.",
    "Independent candidates are leading in two seats, officials said.",
    "A recount was ordered in one ward after a narrow margin.",
    "Results for the remaining seats are expected before midnight.",
]


def block_text(inner_html: str) -> str:
    """Reader text of an inline HTML fragment: the template's entity pre-replacement (``&rsquo;`` → ``'``
    …), tags dropped (inline, so no spaces added), entities decoded, whitespace (incl. NBSP) collapsed."""
    text = re.sub(r"<script\b.*?</script>", "", clean_description(inner_html), flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


class Body:
    """Build ``description_html`` (as TinyMCE stores it) together with its ``BodyBlock`` oracle.

    Block-level children are separated by newlines, as the editor stores them, so that text
    extraction is unambiguous at block boundaries.
    """

    def __init__(self) -> None:
        self._html: list[str] = []
        self._blocks: list[BodyBlock] = []

    def _add(self, markup: str, text: str, role: Literal["text", "note", "credit"] = "text") -> Body:
        self._html.append(markup)
        if text:
            self._blocks.append(BodyBlock(text, role))
        return self

    def p(self, inner: str) -> Body:
        return self._add(f"<p>{inner}</p>", block_text(inner))

    def heading(self, level: int, inner: str) -> Body:
        return self._add(f"<h{level}>{inner}</h{level}>", block_text(inner))

    def empty_p(self) -> Body:
        return self._add("<p>&nbsp;</p>", "")

    def image(self, src: str, alt: str) -> Body:
        markup = f'<p><img src="{html.escape(src)}" alt="{html.escape(alt)}" width="600" height="400" /></p>'
        return self._add(markup, "")

    def items(self, items: list[str], ordered: bool = False) -> Body:
        tag = "ol" if ordered else "ul"
        self._html.append(f"<{tag}>\n" + "\n".join(f"<li>{i}</li>" for i in items) + f"\n</{tag}>")
        self._blocks.extend(BodyBlock(block_text(i)) for i in items if block_text(i))
        return self

    def blockquote(self, inner: str, cite: str | None = None) -> Body:
        footer = f"\n<footer>{cite}</footer>" if cite else ""
        markup = f'<blockquote class="blockquote">\n<p>{inner}</p>{footer}\n</blockquote>'
        return self._add(markup, " ".join(filter(None, [block_text(inner), block_text(cite or "")])))

    def table(self, rows: list[list[str]], header: bool = True) -> Body:
        lines = ['<table class="table table-bordered">', "<tbody>"]
        for n, row in enumerate(rows):
            cell = "th" if header and n == 0 else "td"
            lines.append("<tr>" + "".join(f"<{cell}>{c}</{cell}>" for c in row) + "</tr>")
        lines += ["</tbody>", "</table>"]
        self._html.append("\n".join(lines))
        self._blocks.extend(BodyBlock(" | ".join(block_text(c) for c in row)) for row in rows)
        return self

    def tweet(self, text: str, name: str, handle: str, status_id: int, date: str, pic: str) -> Body:
        markup = (
            f'<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{text} '
            f'<a href="https://t.co/{pic}">pic.twitter.com/{pic}</a></p>\n'
            f'&mdash; {name} (@{handle}) <a href="https://twitter.com/{handle}/status/{status_id}?ref_src=twsrc%5Etfw">'
            f"{date}</a></blockquote>\n"
            '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>'
        )
        reader = f"{block_text(text)} pic.twitter.com/{pic} \u2014 {block_text(name)} (@{handle}) {date}"
        return self._add(markup, " ".join(reader.split()))

    def note(self, text: str) -> Body:
        """A disclaimer/attribution note stored as its own paragraph."""
        return self._add(f"<p>{html.escape(text, quote=False)}</p>", text, "note")

    def credit(self, text: str) -> Body:
        """A Reuters-style "(Reporting by …; Editing by …)" line."""
        return self._add(f"<p>{html.escape(text, quote=False)}</p>", text, "credit")

    def bare_note(self, text: str) -> Body:
        """A note appended as a bare text node, outside any <p> (AFP ingest, §2.8)."""
        return self._add(html.escape(text, quote=False), text, "note")

    def build(self) -> tuple[str, tuple[BodyBlock, ...]]:
        return "\n".join(self._html), tuple(self._blocks)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)


# ----------------------------------------------------------------------------------------------
# The seed article
# ----------------------------------------------------------------------------------------------

SEED_TITLE = "Diplomatic Tensions: Kim Jong Un Meets Russian Security Official Amid Ongoing Conflicts"
SEED_SUBTITLE = (
    "A high-level meeting between North Korea's Kim Jong Un and Russian security official Sergei Shoigu "
    "highlights strengthening ties amid regional tensions. With troop movements and arms exchanges, the dialogue "
    "reveals potential military alliances amid Russia's conflict with Ukraine. Diplomatic nuances point towards "
    "further strategic collaborations."
)
SEED_PARAGRAPHS = (
    "In a significant diplomatic engagement, Russian Security Council Secretary Sergei Shoigu visited North Korea "
    "to confer with leader Kim Jong Un. This high-profile meeting comes amidst recent reports of North Korean troop "
    "reinforcements aiding Russia's military operations in Ukraine.",
    "According to Russia's state-run news agency Tass, Shoigu conveyed greetings from President Vladimir Putin and "
    "emphasized the importance of implementing agreements from recent summits. Discussions reportedly covered crucial "
    "matters, including Moscow's ongoing conflict in Ukraine and security dynamics on the Korean Peninsula.",
    "This meeting follows the recent acknowledgment that North Korea has been supplying weapons and troops to Russia. "
    "Observers suggest a possible upcoming visit by Kim to Russia as ties deepen, further complicated by the "
    "geopolitical landscape involving the United States and South Korea.",
)


def seed_spec() -> NewsSpec:
    """The seed capture (2025-03-21, 19:07 IST): desk rewrite of Reuters copy, AI image, no tags."""
    body = Body()
    for para in SEED_PARAGRAPHS:
        body.p(html.escape(para, quote=False))
    description, blocks = body.build()
    published = utc(2025, 3, 21, 13, 37, 12)
    return NewsSpec(
        news_id=SEED_ID,
        title=SEED_TITLE,
        subtitle=SEED_SUBTITLE,
        description_html=description,
        body_blocks=blocks,
        type="News",
        label="politics",
        sector_ids="19",
        image_url="https://devdiscourse.blob.core.windows.net/devnews/21_03_2025_19_07_01_0876543.png",
        image_caption=AI_IMAGE_CAPTION,
        image_copyright=None,
        tags=[],
        country="South Korea",
        source="Devdiscourse News Desk",
        original_source="Reuters",
        author="Devdiscourse News Desk",
        source_url="seoul",
        created_on=utc(2025, 3, 21, 13, 36, 41) + timedelta(microseconds=417000),
        published_on=published,
        modified_on=published,
    )


# ----------------------------------------------------------------------------------------------
# Pools
# ----------------------------------------------------------------------------------------------

# (country, [(dateline as stored, capital/city for prose)])
PLACES: dict[str, list[str]] = {
    "India": ["new delhi", "mumbai", "kolkata", "chennai", "bengaluru", "hyderabad", "thiruvananthapuram", "lucknow"],
    "South Korea": ["seoul", "busan"],
    "Japan": ["tokyo", "osaka"],
    "United States": ["washington", "new york", "losangeles", "chicago"],
    "United Kingdom": ["london", "manchester"],
    "France": ["paris"],
    "Germany": ["berlin", "frankfurt"],
    "Brazil": ["são paulo", "brasília"],
    "Colombia": ["bogotá"],
    "Kenya": ["nairobi"],
    "Nigeria": ["abuja", "lagos"],
    "South Africa": ["johannesburg", "cape town"],
    "Türkiye": ["ankara", "istanbul"],
    "Switzerland": ["geneva"],
    "Pakistan": ["islamabad", "karachi"],
    "Bangladesh": ["dhaka"],
    "Ukraine": ["kyiv"],
    "Côte d'Ivoire": ["abidjan"],
    "Mexico": ["mexico city"],
    "Australia": ["sydney", "canberra"],
    "China": ["beijing", "shanghai"],
    "Indonesia": ["jakarta"],
    "Philippines": ["manila"],
    "Ethiopia": ["addis ababa"],
}
INDIAN_CITIES = PLACES["India"]

PEOPLE = [
    "José Ramos-Horta", "Recep Tayyip Erdoğan", "Luiz Inácio Lula da Silva", "Ngozi Okonjo-Iweala",
    "Volodymyr Zelenskiy", "Emmanuel Macron", "Olaf Scholz", "Narendra Modi", "Nirmala Sitharaman",
    "S Jaishankar", "António Guterres", "Tedros Adhanom Ghebreyesus", "Kristalina Georgieva", "Shehbaz Sharif",
    "Cyril Ramaphosa", "William Ruto", "Bola Tinubu", "Claudia Sheinbaum", "Pedro Sánchez", "Gustavo Petro",
    "Anthony Albanese", "Shigeru Ishiba", "Prabowo Subianto", "Ferdinand Marcos Jr", "Abiy Ahmed", "Keir Starmer",
    "Friedrich Merz", "Ajay Banga", "Achim Steiner", "Rafael Grossi", "Sanjiv Khanna", "Shaktikanta Das",
    "Sanjay Malhotra", "Piyush Goyal", "Ashwini Vaishnaw", "Mansukh Mandaviya", "Bhupender Yadav", "Dharmendra Pradhan",
    "Siddaramaiah", "Mamata Banerjee", "Yogi Adityanath", "Revanth Reddy", "Hemant Soren", "Nitish Kumar",
]
ORGS = [
    "the World Bank", "the International Monetary Fund", "the World Health Organization", "UNICEF", "the UNDP",
    "the Asian Development Bank", "the African Development Bank", "the Reserve Bank of India",
    "the European Central Bank", "the Federal Reserve", "the World Trade Organization", "the IAEA",
    "the Food and Agriculture Organization", "NITI Aayog", "the Securities and Exchange Board of India",
    "the Indian Space Research Organisation", "the International Energy Agency", "Gavi, the Vaccine Alliance",
]
COMPANIES = [
    "Tata Steel", "Reliance Industries", "Infosys", "Adani Green Energy", "Samsung Electronics", "Hyundai Motor",
    "Toyota", "Siemens", "Nestlé", "L&amp;T", "AT&amp;T", "Mahindra &amp; Mahindra", "Petrobras", "Safaricom",
    "Dangote Cement", "Vedanta", "Wipro", "HDFC Bank", "Bharti Airtel", "Zomato",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
HOOKS = [
    "Diplomatic Tensions", "Breaking Barriers", "Tensions Rise", "Green Shift", "Market Jitters", "Health Alert",
    "Tech Leap", "Power Play", "Climate Crossroads", "Trade Winds", "Policy Pivot", "Historic Win", "Crisis Averted",
    "Bold Reform", "Rising Stakes", "Winds of Change", "Uneasy Calm", "New Frontier",
]


class Topic:
    """A news beat: its sector ids, labels, tag pool, title patterns and sentence pool."""

    def __init__(self, name: str, sectors: list[str], labels: list[str], tags: list[str],
                 titles: list[str], sentences: list[str], headings: list[str]) -> None:
        self.name, self.sectors, self.labels, self.tags = name, sectors, labels, tags
        self.titles, self.sentences, self.headings = titles, sentences, headings


TOPICS = [
    Topic(
        "diplomacy", ["19"], ["politics", "international", "headlines"],
        ["diplomacy", "bilateral talks", "G20", "United Nations", "sanctions", "foreign policy", "summit",
         "border dispute", "ceasefire", "Security Council"],
        ["{hook}: {person} Meets {person2} Amid {issue}",
         "{country} and {country2} Pledge Deeper Ties at {city} Summit",
         "{person} Warns of '{issue}' as Talks Stall", "Envoys Race to Salvage {country} Ceasefire Deal"],
        ["{person} held talks with {person2} in {city} on {weekday}, officials said.",
         "The two sides discussed {issue}, trade and regional security, according to a statement.",
         "Diplomats described the meeting as frank but constructive.",
         "Analysts say the outreach signals a recalibration of {country}'s foreign policy.",
         "A joint communiqué is expected to be released later this week.",
         "Opposition lawmakers criticised the visit, calling it premature.",
         "The talks come weeks after a flare-up along the disputed frontier left {num} people injured.",
         "{person2} said both countries had agreed to set up a working group on {issue}.",
         "Officials familiar with the matter said a follow-up round could take place in {city2} next month.",
         "{org} has urged restraint and called for dialogue."],
        ["What was agreed", "Regional reaction", "The road ahead"],
    ),
    Topic(
        "economy", ["1"], ["business", "headlines"],
        ["inflation", "interest rates", "GDP", "exports", "stock market", "rupee", "fiscal deficit", "monetary policy",
         "foreign investment", "trade deficit"],
        ["{hook}: {country} Central Bank Holds Rates as Inflation Eases to {pct}%",
         "{company} Shares Jump {pct}% on Strong Quarterly Earnings",
         "Exports From {country} Rise for Third Straight Month", "{org} Trims {country} Growth Forecast to {pct}%"],
        ["Retail inflation eased to {pct} per cent in February from {pct2} per cent a month earlier, "
         "official data showed.",
         "{company} reported a net profit of Rs {num} crore for the quarter, beating analyst estimates.",
         "The benchmark index closed {pct} per cent higher, led by gains in banking and IT stocks.",
         "Economists expect the central bank to keep its policy rate unchanged at the next review.",
         "{org} said growth would be supported by robust domestic demand and public investment.",
         "Merchandise exports rose to USD {num} million, while imports fell marginally.",
         "The finance ministry said the fiscal deficit target of {pct} per cent of GDP remained on track.",
         "Foreign portfolio investors were net buyers for the {ordinal} consecutive session.",
         "Traders said a weaker dollar and easing crude prices lifted sentiment.",
         "{person} told reporters that reforms to simplify compliance would be announced soon."],
        ["Key numbers", "Market reaction", "Outlook"],
    ),
    Topic(
        "health", ["2"], ["health", "national"],
        ["public health", "vaccination", "dengue", "tuberculosis", "WHO", "malaria", "hospital", "maternal health",
         "antimicrobial resistance", "mental health"],
        ["{hook}: {country} Steps Up Vaccination Drive as {disease} Cases Climb",
         "New Study Links Air Pollution to Rising {disease} Cases in {city}",
         "{org} Backs {country} Plan to End {disease} by 2030", "Hospitals in {city} Brace for {disease} Surge"],
        ["Health officials reported {num} new cases of {disease} over the past week.",
         "The vaccination campaign aims to reach {num} children in {num2} districts by June.",
         "{org} said early detection and community health workers were key to the response.",
         "Doctors at the state-run hospital said beds in the isolation ward were nearly full.",
         "The study, published in a peer-reviewed journal, followed {num} patients over five years.",
         "Experts urged residents to avoid stagnant water and seek treatment early.",
         "The ministry has allocated Rs {num} crore for diagnostic kits and medicines.",
         "{person} said no deaths had been reported so far this season.",
         "Public health researchers cautioned that the figures may be an undercount.",
         "Mobile clinics will be deployed in remote villages, officials added."],
        ["Symptoms and prevention", "What experts say"],
    ),
    Topic(
        "climate", ["15"], ["science-environment", "international"],
        ["climate change", "heatwave", "renewable energy", "COP30", "floods", "biodiversity", "air pollution",
         "carbon emissions", "glaciers", "monsoon"],
        ["{hook}: Record Heat Grips {country} as Power Demand Soars",
         "{country} Unveils Plan to Cut Emissions by {pct}% by 2035", "Floods Displace Thousands in {city}",
         "Scientists Warn of Faster Glacier Melt in the Himalayas"],
        ["Temperatures touched {temp} degrees Celsius in {city} on {weekday}, the weather office said.",
         "The plan commits {country} to sourcing {pct} per cent of its electricity from renewables.",
         "More than {num} people were moved to relief camps after rivers breached their banks.",
         "{org} said vulnerable communities needed urgent support to adapt.",
         "Environmental groups welcomed the targets but questioned how they would be financed.",
         "Satellite data showed the glacier had retreated by {num} metres over the past decade.",
         "Farmers warned that unseasonal rain had damaged standing crops.",
         "{person} said the country would seek climate finance at the next round of negotiations.",
         "The meteorological department has issued an orange alert for {num2} districts.",
         "Researchers said the findings underline the need for early-warning systems."],
        ["Impact on communities", "Financing the transition"],
    ),
    Topic(
        "technology", ["6"], ["technology"],
        ["artificial intelligence", "semiconductors", "cybersecurity", "5G", "startups", "data protection",
         "digital payments", "space", "electric vehicles", "quantum computing"],
        ["{hook}: {company} Bets Big on AI With New Research Hub in {city}",
         "{country} Approves Rs {num} Crore Chip Fabrication Plant", "Cyberattack Disrupts Services at {company}",
         "Startups in {city} Raise Record Funding Despite Slowdown"],
        ["{company} said the facility would employ about {num} engineers by next year.",
         "The government said the project would reduce dependence on imported chips.",
         "The company said customer data had not been compromised in the incident.",
         "Venture funding for early-stage startups rose {pct} per cent from a year earlier.",
         "{person} said the new data protection rules would be notified within weeks.",
         "Industry bodies welcomed the move but sought clarity on compliance timelines.",
         "Analysts said the investment reflects growing competition for AI talent.",
         "The satellite is expected to be launched from Sriharikota later this year.",
         "Experts warned that smaller firms remain vulnerable to ransomware attacks.",
         "The pilot will cover {num2} cities before a national rollout."],
        ["How it works", "Industry reaction"],
    ),
    Topic(
        "sports", ["18"], ["sports-games"],
        ["cricket", "football", "IPL", "Olympics", "hockey", "tennis", "badminton", "athletics", "chess",
         "World Cup"],
        ["{hook}: {team} Beat {team2} by {num2} Wickets in Thriller", "{athlete} Clinches Title in {city}",
         "{team} Name Squad for Upcoming Series Against {team2}", "Injury Blow for {team} Ahead of Final"],
        ["{athlete} scored an unbeaten {num2} to steer the side home with {num3} balls to spare.",
         "The coach said the team would rest key players ahead of the tournament.",
         "{team2} had earlier posted {num} for {num3} after electing to bat.",
         "Fans packed the stadium in {city} despite the afternoon heat.",
         "The federation said selection trials would be held next month.",
         "It was {athlete}'s {ordinal} title of the season.",
         "The captain praised the bowlers for their discipline in the death overs.",
         "The final will be played on {weekday} at {city2}.",
         "Officials confirmed that the injured player had been ruled out for two weeks.",
         "The win lifted the side to second place in the standings."],
        ["Match summary", "What's next"],
    ),
    Topic(
        "agriculture", ["10"], ["national", "business"],
        ["agriculture", "farmers", "food security", "wheat", "rice", "minimum support price", "irrigation",
         "fertilisers", "crop insurance", "fisheries"],
        ["{hook}: Wheat Procurement in {state} Crosses {num} Lakh Tonnes",
         "Farmers in {state} Demand Higher Support Price for Paddy", "{org} Warns of Rising Food Prices in {country}",
         "New Irrigation Scheme to Benefit {num} Farmers in {state}"],
        ["Procurement agencies have bought {num} lakh tonnes of wheat so far this season.",
         "Farmer unions said input costs had risen sharply over the past year.",
         "{org} said global cereal prices rose for the {ordinal} straight month.",
         "The scheme will bring {num} hectares under micro-irrigation, officials said.",
         "{person} announced a relief package for growers hit by hailstorms.",
         "Agricultural economists said better storage could cut post-harvest losses.",
         "The state government has opened {num2} new procurement centres.",
         "Fertiliser stocks were adequate for the coming kharif season, the ministry said.",
         "Prices of onions and tomatoes have eased in wholesale markets.",
         "Women's self-help groups will run the new seed banks."],
        ["Procurement figures", "Farmers' concerns"],
    ),
    Topic(
        "energy", ["7", "1"], ["business"],
        ["solar power", "oil prices", "coal", "green hydrogen", "natural gas", "energy transition", "OPEC",
         "power grid", "nuclear energy", "wind energy"],
        ["{hook}: {company} Commissions {num} MW Solar Park in {state}", "Oil Prices Slip as {country} Output Rises",
         "{country} Signs Green Hydrogen Pact With {country2}", "Coal Output Hits Record High Amid Power Demand"],
        ["The plant will supply power to about {num} households, the company said.",
         "Brent crude fell {pct} per cent to USD {num2} a barrel in early trade.",
         "The agreement covers research, investment and shipping of green ammonia.",
         "Coal production rose {pct} per cent year-on-year in February.",
         "{org} said clean energy investment would outpace fossil fuels this year.",
         "Grid operators warned of evening shortages as temperatures climb.",
         "{person} said the country was on track to meet its renewable capacity target.",
         "Analysts expect demand to remain firm through the summer months.",
         "The auction drew bids from {num2} developers, officials said.",
         "Environmental groups called for a faster phase-down of coal."],
        ["Capacity and costs", "Market impact"],
    ),
    Topic(
        "law", ["11"], ["law-order", "national"],
        ["Supreme Court", "High Court", "police", "cybercrime", "corruption", "bail", "judiciary", "human rights",
         "election commission", "CBI"],
        ["{hook}: Supreme Court Seeks Centre's Reply on {issue}", "High Court Grants Bail to Former {state} Minister",
         "Police Bust Cybercrime Ring Operating From {city}", "{country} Court Orders Probe Into {issue}"],
        ["A bench headed by the Chief Justice issued notice and listed the matter after {num2} weeks.",
         "The court observed that personal liberty could not be curtailed without due process.",
         "Police said {num2} people had been arrested and {num} SIM cards seized.",
         "The petitioners argued that the rules violated the right to privacy.",
         "{person} said the government would file a detailed response.",
         "The investigating agency has been asked to submit a status report.",
         "Lawyers for the accused said they would challenge the order.",
         "The complaint alleged irregularities worth Rs {num} crore.",
         "Rights groups welcomed the ruling as a significant step.",
         "The case will next be heard on {weekday}."],
        ["The court's observations", "Background"],
    ),
    Topic(
        "education", ["4"], ["national"],
        ["education", "schools", "universities", "NEET", "scholarships", "digital learning", "teachers",
         "higher education", "literacy", "skills"],
        ["{hook}: {state} to Recruit {num} Teachers This Year", "Board Exam Results Declared; Pass Rate at {pct}%",
         "{org} Report Flags Learning Gaps in {country}", "Universities in {city} Launch Joint Skills Programme"],
        ["The recruitment drive will fill vacancies in government primary schools, officials said.",
         "Girls outperformed boys with a pass percentage of {pct}.",
         "The report found that {pct} per cent of Grade 5 pupils could not read a simple text.",
         "The programme will offer short courses in data analytics and renewable energy.",
         "{person} said scholarships would be extended to {num} more students.",
         "Teachers' associations sought better training and timely salaries.",
         "Digital classrooms will be set up in {num2} schools in the first phase.",
         "Education experts said foundational literacy must remain the priority.",
         "Admissions for the new academic session will begin next month.",
         "The university said industry partners would offer internships."],
        ["Key findings", "Reactions"],
    ),
]

DISEASES = ["dengue", "measles", "tuberculosis", "malaria", "cholera", "mpox", "influenza"]
ISSUES = ["nuclear talks", "border tensions", "trade barriers", "migration", "maritime security", "water sharing",
          "sanctions", "election funding", "data privacy", "refugee returns"]
TEAMS = ["India", "Australia", "England", "South Africa", "Pakistan", "New Zealand", "Sri Lanka", "Bangladesh",
         "Mumbai Indians", "Chennai Super Kings", "Kerala Blasters", "Mohun Bagan"]
ATHLETES = ["Neeraj Chopra", "PV Sindhu", "Virat Kohli", "Smriti Mandhana", "Gukesh Dommaraju", "Lakshya Sen",
            "Nikhat Zareen", "Shubman Gill", "Jasprit Bumrah", "Vinesh Phogat"]
STATES = ["Punjab", "Haryana", "Uttar Pradesh", "Madhya Pradesh", "Kerala", "Tamil Nadu", "Odisha", "Bihar",
          "Maharashtra", "Gujarat", "Rajasthan", "Karnataka"]
ORDINALS = ["second", "third", "fourth", "fifth", "sixth"]
REUTERS_REPORTERS = ["Hyonhee Shin", "Joyce Lee", "Aftab Ahmed", "Sudipto Ganguly", "Nikunj Ohri", "Tim Kelly",
                     "Emma Farge", "Duncan Miriri", "Ana Mano", "Francesco Guarascio"]
REUTERS_EDITORS = ["Ed Davies", "Kim Coghill", "Raju Gopalakrishnan", "Jacqueline Wong", "Mark Heinrich",
                   "Alison Williams", "Christina Fincher"]
BLOGGERS = [
    ("Dr. Ananya Rao", "/AdminFiles/Authors/ananya_rao.jpg"), ("Rohit Mehta", "/AdminFiles/Authors/rohit_mehta.jpg"),
    ("Sofía Hernández", "/AdminFiles/Authors/sofia_hernandez.jpg"),
    ("Kwame Mensah", "/AdminFiles/Authors/kwame_mensah.jpg"),
    ("Léa Dubois", "/AdminFiles/Authors/lea_dubois.jpg"), ("Priya Nair", "/AdminFiles/Authors/priya_nair.jpg"),
]
BLOG_OUTLETS = ["The Conversation", "Devdiscourse", "Project Syndicate", "World Economic Forum", "IPS"]
CREDITS = ["Reuters", "ANI", "PTI", "IANS", "Pixabay", "Wikipedia", "Twitter (@MEAIndia)", "Unsplash", "UN Photo"]
OTHER_SOURCES = ["UNDP", "WHO", "IMF", "ADB", "GOV.UK"]
ARCHETYPES = [
    "pti", "reuters", "desk_agencies", "ians", "ani", "desk_ani_note", "un_news", "pr_newswire", "afp", "opinion",
    "interview", "blog", "other_source", "desk_plain", "reuters_note_in_body", "desk_reproduced", "liveblog",
]
ARCHETYPE_WEIGHTS = [14, 12, 14, 6, 6, 4, 4, 4, 3, 4, 2, 2, 2, 5, 2, 2, 1]


# ----------------------------------------------------------------------------------------------
# Generation
# ----------------------------------------------------------------------------------------------

class _Filler:
    """Fills ``{slot}`` templates with random but article-consistent values.

    Sentences come from a per-article shuffled deck, so one body never repeats a sentence template.
    """

    def __init__(self, rng: random.Random, topic: Topic, country: str, city: str) -> None:
        self.rng, self.topic = rng, topic
        others = [c for c in PLACES if c != country]
        person, person2 = rng.sample(PEOPLE, 2)
        org = rng.choice(ORGS)
        self.values: dict[str, str] = {
            "person": person, "person2": person2, "country": country, "country2": rng.choice(others),
            "city": "Los Angeles" if city == "losangeles" else city.title(),
            "city2": rng.choice(PLACES[rng.choice(others)]).title(),
            "hook": rng.choice(HOOKS), "issue": rng.choice(ISSUES), "org": org[0].upper() + org[1:],
            "org_plain": rng.choice(ORGS), "company": rng.choice(COMPANIES),
            "disease": rng.choice(DISEASES), "team": rng.choice(TEAMS), "team2": rng.choice(TEAMS),
            "athlete": rng.choice(ATHLETES), "state": rng.choice(STATES), "weekday": rng.choice(WEEKDAYS),
            "ordinal": rng.choice(ORDINALS),
        }
        self._deck: list[str] = []

    def fill(self, template: str, *, headline: bool = False) -> str:
        rng = self.rng

        def slot(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in ("num", "num2", "num3"):
                return str(rng.choice([rng.randint(2, 60), rng.randint(100, 990), rng.randint(1000, 48000)]))
            if key in ("pct", "pct2"):
                return f"{rng.randint(1, 9)}.{rng.randint(0, 9)}"
            if key == "temp":
                return str(rng.randint(39, 47))
            value = self.values[key]
            if headline and key in ("issue", "disease", "org_plain"):
                value = " ".join(w[:1].upper() + w[1:] for w in value.split())
            return html.escape(value, quote=False) if "&amp;" not in value else value

        return re.sub(r"\{(\w+)\}", slot, template)

    def plain(self, template: str) -> str:
        """Fill for a headline (plain text, not HTML)."""
        return html.unescape(self.fill(template, headline=True))

    def sentence(self) -> str:
        if not self._deck:
            self._deck = self.topic.sentences + GENERIC_SENTENCES
            self.rng.shuffle(self._deck)
        return self.fill(self._deck.pop())

    def summary(self) -> str:
        """A two-sentence dek (plain text), like the site's generated subtitles."""
        return html.unescape(f"{self.sentence()} {self.sentence()}")

    def paragraph(self, k: int) -> str:
        return " ".join(self.sentence() for _ in range(k))


GENERIC_SENTENCES = [
    "Officials said further details would be shared in the coming days.",
    "The announcement drew mixed reactions from opposition parties and civil society groups.",
    "A spokesperson declined to comment on the timeline.",
    "The development is being closely watched by investors and policymakers alike.",
    "Local residents said they hoped the measures would bring lasting change.",
    "{org} has previously flagged similar concerns in its annual report.",
    "Critics argue that implementation has lagged behind announcements.",
    "Sources said the proposal would be placed before the cabinet next week.",
    "The move is expected to benefit small businesses and first-time applicants.",
    "Independent experts called for greater transparency in the process.",
    "The figures were released by the statistics office on {weekday}.",
    "Several states have sought additional funds to implement the programme.",
    "Community leaders in {city} welcomed the decision.",
    "Observers noted that the issue is likely to feature prominently in upcoming debates.",
    "The decision follows months of consultations with stakeholders across the country.",
    "Officials acknowledged that funding gaps remain a concern.",
    "{person} is expected to brief reporters after the meeting.",
    "Data from the past three years show a steady upward trend.",
    "The measures will be reviewed after six months, according to the notification.",
    "Industry representatives said they would study the fine print before responding.",
    "A committee has been set up to monitor progress and report back by the end of the year.",
    "Residents of {city2} reported similar problems earlier this month.",
]
BLOG_TITLES = [
    "Why {country} Must Rethink Its Approach to {issue}",
    "The Hidden Cost of {issue}: Lessons From {country}",
    "Beyond the Headlines: What {issue} Means for Ordinary Citizens",
    "A Decade of Reform: Has {country} Delivered on Its Promises?",
]
INTERVIEW_TITLES = [
    "In Conversation: {person} on {issue} and the Road Ahead",
    "'We Need Bold Action Now': {person} Speaks on {issue}",
]

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _named_entities(text: str) -> str:
    """Encode non-ASCII characters as named entities where HTML has a name (``é`` → ``&eacute;``)."""
    return "".join(f"&{codepoint2name[ord(c)]};" if ord(c) > 127 and ord(c) in codepoint2name else c for c in text)


def _unique_title(rng: random.Random, filler: _Filler, used: set[str], patterns: list[str]) -> str:
    for _ in range(20):
        title = filler.plain(rng.choice(patterns))
        if title not in used:
            used.add(title)
            return title
    title = f"{filler.plain(rng.choice(patterns))} ({filler.values['city']})"
    used.add(title)
    return title


def _image(rng: random.Random, news_id: int, created: datetime, kind: str) -> tuple[str | None, str | None, str | None]:
    """(ImageUrl, ImageCaption, ImageCopyright) in the shapes the site stores."""
    ist = to_ist(created)
    blob = f"https://devdiscourse.blob.core.windows.net/devnews/{ist:%d_%m_%Y_%H_%M_%S}_{rng.randint(100, 9999999)}.jpg"
    roll = rng.random()
    if roll < 0.12:
        return None, None, None
    if roll < 0.16:
        return "/images/newstheme.jpg", None, None
    if kind == "reuters":
        return blob, rng.choice([None, "Representative Image"]), "Image Credit: Reuters"
    if kind in ("desk", "liveblog") and roll < 0.6:
        return blob, AI_IMAGE_CAPTION, None
    if roll < 0.7:
        return f"/AdminFiles/NewsImages/{news_id}.jpg", "Representative Image", f"Image Credit: {rng.choice(CREDITS)}"
    caption = rng.choice(["Representative Image", "Representative image", None, "File photo"])
    return blob, caption, f"Image Credit: {rng.choice(CREDITS)}"


def _countries(rng: random.Random, home: str) -> list[str]:
    n = rng.choices([0, 1, 2, 3], weights=[2, 10, 3, 2])[0]
    if n == 0:
        return []
    others = rng.sample([c for c in PLACES if c != home], n - 1)
    return [home, *others]


def _tags(rng: random.Random, topic: Topic, countries: list[str]) -> list[str]:
    if rng.random() < 0.3:
        return []
    tags = rng.sample(topic.tags, rng.randint(2, 7))
    tags += countries[: rng.randint(0, len(countries))]
    return tags


def _make(rng: random.Random, kind: str, news_id: int, created: datetime, end: datetime,
          used_titles: set[str]) -> NewsSpec:
    topic = rng.choice(TOPICS)
    if kind in ("pti", "ians", "ani", "desk_reproduced") or (kind == "desk_plain" and rng.random() < 0.5):
        home = "India"
    else:
        home = rng.choice(list(PLACES))
    city = rng.choice(PLACES[home])
    filler = _Filler(rng, topic, home, city)
    patterns = {"opinion": BLOG_TITLES, "blog": BLOG_TITLES, "interview": INTERVIEW_TITLES}.get(kind, topic.titles)
    title = _unique_title(rng, filler, used_titles, patterns)
    countries = _countries(rng, home)
    body = Body()
    entity_style = rng.random() < 0.25  # TinyMCE "named" entity encoding of non-ASCII
    prose_city = "Los Angeles" if city == "losangeles" else city.title()
    dateline_city = prose_city.upper() if kind == "pti" else prose_city
    ist = to_ist(created)

    # Lead paragraph: wire style where the wire writes a dateline into the copy.
    lead = filler.paragraph(2)
    if kind == "pti":
        lead = f"{html.escape(dateline_city, quote=False)}, {_MONTHS[ist.month - 1]} {ist.day} (PTI) {lead}"
    elif kind == "ians":
        lead = f"{html.escape(dateline_city, quote=False)}, {ist:%B} {ist.day} (IANS) {lead}"
    elif kind == "ani":
        lead = f"{html.escape(dateline_city, quote=False)} [India], {ist:%B} {ist.day} (ANI): {lead}"
    body.p(lead)
    for _ in range(rng.randint(2, 4)):
        roll = rng.random()
        if roll < 0.12:
            body.heading(2, html.escape(rng.choice(topic.headings), quote=False))
        elif roll < 0.2:
            body.items([filler.sentence() for _ in range(3)], ordered=rng.random() < 0.4)
        elif roll < 0.27 and kind in ("un_news", "opinion", "interview", "blog", "desk_plain"):
            body.blockquote(filler.sentence(), f"&mdash; {html.escape(filler.values['person'], quote=False)}")
        elif roll < 0.3:
            body.empty_p()
        para = filler.paragraph(rng.randint(2, 3))
        if rng.random() < 0.15:
            para = para.replace(". ", ".&nbsp; ", 1)  # TinyMCE double-space artefact
        if rng.random() < 0.2:
            para = para.replace("'s ", "&rsquo;s ", 1)  # the template turns it into a plain '
        if entity_style:
            para = _named_entities(para)
        body.p(para)

    source, original, author = "Devdiscourse News Desk", "", "Devdiscourse News Desk"
    type_, sub_type, themes = "News", "", None
    source_url: str | None = city
    label: str | None = rng.choice(topic.labels)
    subtitle: str | None = None
    img_kind = "desk"
    if kind == "pti":
        source, original, author, img_kind = "PTI", "PTI", "Press Trust of India", "wire"
        label = None if rng.random() < 0.5 else label
    elif kind in ("reuters", "reuters_note_in_body"):
        source, original, author, img_kind = "Reuters", "Reuters", "Reuters", "reuters"
        label = None if rng.random() < 0.4 else label
        if rng.random() < 0.8:
            body.credit(f"(Reporting by {rng.choice(REUTERS_REPORTERS)}; Editing by {rng.choice(REUTERS_EDITORS)})")
        if kind == "reuters_note_in_body":
            body.note(SYNDICATED_NOTE)
    elif kind == "ians":
        source, original, author, img_kind = "IANS", "IANS", "IANS", "wire"
    elif kind == "ani":
        source, original, author, img_kind = "ANI", "ANI", "ANI", "wire"
    elif kind == "desk_agencies":
        original = rng.choice(["Reuters", "PTI", "IANS", "ANI"])
        subtitle = filler.summary()
    elif kind == "desk_ani_note":
        original = "ANI"
        body.note("(With inputs from ANI)")
        subtitle = filler.summary()
    elif kind == "desk_reproduced":
        body.note("(This is a reproduced story from PTI as it is)")
    elif kind == "desk_plain":
        subtitle = filler.summary() if rng.random() < 0.7 else None
    elif kind == "un_news":
        source, original, author, img_kind = "UN News", "UN News", "UN News", "wire"
        source_url = rng.choice(["geneva", "new york"])
        label = "international"
    elif kind == "pr_newswire":
        source, original, author, img_kind = "PR Newswire", "PR Newswire", "", "wire"
        source_url = rng.choice(["new york", "london", "mumbai", "singapore"])
        body.items(["<strong>About the company:</strong> " + filler.sentence(),
                    "Media contact: press@example-corp.com"])
        label = "business"
    elif kind == "afp":
        source, original, author, img_kind = "AFP", "AFP", "Press Trust of India", "wire"
        body.bare_note(SYNDICATED_NOTE)
    elif kind == "other_source":
        source = rng.choice(OTHER_SOURCES)
        original, author, img_kind = source, source, "wire"
    elif kind in ("opinion", "interview", "blog"):
        type_ = "Blog"
        sub_type = {"opinion": "Opinion", "interview": "Interview", "blog": rng.choice(["Blog", "Column"])}[kind]
        author, themes = rng.choice(BLOGGERS)
        source = rng.choice(BLOG_OUTLETS)
        original, source_url, img_kind = "", None, "blog"
        subtitle = filler.summary()
        if rng.random() < 0.7:
            body.note(BLOG_DISCLAIMER)
    elif kind == "liveblog":
        type_, img_kind = "LiveBlog", "liveblog"
        source_url = rng.choice(["new delhi", "geneva", "london"])
        subtitle = filler.summary()
    if kind in ("desk_agencies", "desk_plain") and rng.random() < 0.3:
        subtitle = None
    if kind == "desk_agencies" and subtitle is None and rng.random() < 0.5:
        subtitle = filler.summary()

    description, blocks = body.build()
    image_url, caption, copyright_ = _image(rng, news_id, created, img_kind)
    published = created + timedelta(seconds=rng.randint(5, 400), microseconds=rng.randint(0, 999999))
    modified = published
    if rng.random() < 0.3:
        modified = min(published + timedelta(minutes=rng.randint(15, 600), seconds=rng.randint(0, 59)), end)
    if kind == "liveblog":
        # The Mobile view prints minutes only; whole minutes keep expected seconds unambiguous.
        published = published.replace(second=0, microsecond=0)
        modified = modified.replace(second=0, microsecond=0)
        if modified < published:
            modified = published
    sector_ids = ",".join(topic.sectors) if rng.random() < 0.3 else topic.sectors[0]
    return NewsSpec(
        news_id=news_id, title=title, subtitle=subtitle, description_html=description, body_blocks=blocks,
        type=type_, sub_type=sub_type, label=label, sector_ids=sector_ids,
        image_url=image_url, image_caption=caption, image_copyright=copyright_,
        tags=_tags(rng, topic, countries), country=(", " if rng.random() < 0.3 else ",").join(countries),
        source=source, original_source=original, author=author, source_url=source_url,
        created_on=created, published_on=published, modified_on=modified, themes=themes,
        # two pages and a bit of updates, the last a short page (§3.2: 10 a page)
        live_updates=live_updates(news_id, published, 13) if kind == "liveblog" else (),
    )


def live_updates(news_id: int, start: datetime, count: int) -> tuple[LiveUpdateSpec, ...]:
    """``count`` LiveBlogs rows of a live blog, one about every 20 minutes after ``start``, drawn with their own
    generator (so giving a live blog updates leaves the rest of a corpus as it was): paragraphs, now and then a
    list, an image with a credit (a blob URL or a site-relative one), times with fractions of a second (§1.4)."""
    rng = random.Random(f"devdiscourse-live-{news_id}")
    rows: list[LiveUpdateSpec] = []
    for k in range(1, count + 1):
        body = Body().p(rng.choice(_UPDATE_SENTENCES))
        if k % 4 == 0:
            body.items([rng.choice(_UPDATE_SENTENCES) for _ in range(2)])
        if k % 3 == 0:
            body.p(f"Ward {k}&nbsp;&amp; ward {k + 1}: {rng.choice(_UPDATE_SENTENCES)}")
        description, blocks = body.build()
        image = copyright_ = None
        if k % 5 == 0:
            image, copyright_ = f"https://devdiscourse.blob.core.windows.net/liveblogs/{news_id}_{k}.jpg", "Image Credit: ANI"
        elif k % 7 == 0:
            image, copyright_ = f"/AdminFiles/LiveBlogs/{news_id}_{k}.jpg", "PTI"
        created = start + timedelta(minutes=20 * k + rng.randint(0, 9), seconds=rng.randint(0, 59),
                                    microseconds=rng.randint(0, 999999))
        rows.append(LiveUpdateSpec(
            id=news_id * 100 + k, title=f"Round {k}: {rng.choice(['trends', 'leads', 'turnout', 'reactions'])}",
            description_html=description, created_on=created, image_url=image, image_copyright=copyright_,
            text_blocks=tuple(b.text for b in blocks)))
    return tuple(rows)


CORPUS_NEWEST = datetime(2025, 3, 21, 17, 40, 0, tzinfo=timezone.utc)


def corpus(n: int, seed: int = 0) -> list[NewsSpec]:
    """``n`` deterministic, varied articles, newest first (created ≤ 2025-03-21 17:40 UTC).

    The first ``len(ARCHETYPES)`` items cover every archetype once; the rest are drawn by weight.
    Ids descend from 3301980 and never collide with the seed's.
    """
    rng = random.Random(f"devdiscourse-corpus-{seed}")
    end = CORPUS_NEWEST + timedelta(minutes=20)
    specs: list[NewsSpec] = []
    used_titles = {SEED_TITLE}
    news_id = 3301980
    created = CORPUS_NEWEST
    for i in range(n):
        kind = ARCHETYPES[i] if i < len(ARCHETYPES) else rng.choices(ARCHETYPES, ARCHETYPE_WEIGHTS)[0]
        stamp = created.replace(second=rng.randint(0, 59), microsecond=rng.randint(0, 999) * 1000)
        specs.append(_make(rng, kind, news_id, stamp, end, used_titles))
        news_id -= rng.randint(2, 9)
        if news_id == SEED_ID:
            news_id -= 1
        created -= timedelta(minutes=rng.randint(5, 20))  # ~100+ items a day, like the site
    return specs
