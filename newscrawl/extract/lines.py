"""Line vocabulary of web pages, in the languages the crawler meets: short lines that are page furniture wherever
they stand (labels, calls to action, like/share buttons), metadata labels and paywall prompts at a story's end, and
the headings that open the page's list of other stories (end markers). extract/content.py drops the first three
kinds and stops the body at an end marker. Generic web vocabulary only: no site's own wording.
"""

from __future__ import annotations

import re

# Label-led lines of metadata at the end of a story: "Tags: a, b, c", "Filed under …".
LABEL_LINE = re.compile(r"^(?:(?:tags?|tagged(?: with)?|topics?|filed under|categor(?:y|ies)|posted in|keywords)\b\s*:?|"
                        # the same labels in other languages, only with their colon ("Themen wie …" is a sentence)
                        r"(?:kategorien?|schlagw(?:ö|oe)rter|schlagworte|stichw(?:ö|oe)rter|themen|cat(?:é|e)gories?|"
                        r"(?:é|e)tiquettes|mots[- ]cl(?:é|e)s|categor(?:í|i)as?|etiquetas|categorie|etichette|"
                        r"palavras[- ]chave)\s*:)",
                        re.IGNORECASE)
# Subscription prompts that stand where a paywalled story stops.
PAYWALL_LINE = re.compile(
    r"^(?:already (?:a |an )?(?:subscriber|member|registered)|(?:get|enjoy) unlimited (?:digital )?access|"
    r"(?:log|sign) in to (?:continue|read|keep reading)|(?:subscribe|register) (?:now )?to (?:continue|read|keep)|"
    r"to continue reading|this (?:article|story|content) is (?:only )?(?:for|available to|exclusive to) "
    r"(?:our )?(?:subscribers|members)|you have reached your (?:free )?(?:article )?limit)",
    re.IGNORECASE,
)
# Short lines that are page furniture wherever they appear (labels, calls to action, ad slots).
FURNITURE_LINE = re.compile(
    r"^(?:advertisement|advertisment|adverti[sz]ing|ad|sponsored(?: content)?|story continues below.*|"
    r"continue reading.*|read more.*|read also.*|also read.*|related.*|recommended.*|see also.*|more from .*|"
    r"share(?: this)?(?: article| story| on .*)?|tweet|email|print|comments?|\d+ comments?|follow us.*|"
    r"sign up.*|subscribe.*|click here.*|listen to (?:this|the) (?:article|story).*|loading.*|skip .*|"
    r"image|photo|video|getty images|watch:?.*|(?:photo|image) (?:credit|source):.*|back to top|top|permalink|"
    r"permalien|kommentieren|kommentare geschlossen|gefällt mir|teilen|externer inhalt|partager|commenter|"
    # the same in the other languages of the corpus the extractor was measured on
    r"lesen sie (?:auch|mehr).*|(?:das )?könnte sie (?:auch )?interessieren.*|lire aussi.*|à lire aussi.*|"
    r"lea también.*|leer también.*|leia também.*|leggi anche.*|anzeige(?:\s*[-–:|].*)?|werbung|publicité|"
    r"partager (?:cet|l')article|artikel teilen|diesen artikel teilen|kontakt|contact|explore further|"
    # picture credits standing alone (the caption they belong to is dropped with its figure)
    r"(?:fotos?|photos?|bild(?:er)?|titelbild|bildquellen?|(?:photo |image )?credits?|crédits? photo|"
    r"quellen?(?:angaben)?)\s*:.*|©.*|.*/\s*getty images)$",
    re.IGNORECASE,
)


# Headings that open the page's list of other stories, in the languages we have met; the story ends there.
END_MARKER = re.compile(
    r"^(?:related(?: articles| stories| posts| news| content| coverage)|you (?:may|might) (?:also )?(?:like|enjoy)|"
    r"more (?:stories|news|articles)(?: from .*)?|recommended(?: for you| stories| articles)?|"
    r"(?:most )?popular(?: stories| articles| posts| now)?|trending(?: now| stories)?|top stories|latest news|"
    r"(?:leave|post) a (?:comment|reply)|\d* ?comments?|"
    r"você (?:pode|também pode) gostar.*|mais lidas|notícias relacionadas|artigos relacionados|te puede interesar|"
    r"noticias relacionadas|lo más leído|weitere artikel|das könnte sie auch interessieren|sur le même sujet|"
    r"articoli correlati|похожие (?:статьи|новости|записи)|самые популярные.*|関連記事|관련기사|"
    r"about the author|über den autor|auch interessant|schon gelesen\??|zum weiterlesen|"
    r"weitere beiträge(?: .*)?|ähnliche (?:beiträge|artikel)|à propos de l'auteur|dans la même rubrique|"
    r"mehr zum thema(?: .*)?|(?:articles|audios|vidéos)(?: et (?:articles|audios|vidéos))? sur le "
    r"(?:même )?sujet|"
    # a comment section's heading: its count or its call, in the languages we have met
    r"\d* ?(?:kommentare?|commentaires?|comentarios?|commenti|reacties|reacciones)|"
    r"(?:schreib(?:e|en sie)?|hinterlasse) einen kommentar|laisser un commentaire|deja un comentario)"
    r"\s*[:.…]*$",
    re.IGNORECASE,
)
# "Read also" and its kin are left out on purpose: outlets put those boxes in the middle of a story too.
