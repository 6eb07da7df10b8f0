"""The Filipino of the consent texts published before Tinig spoke it.

No new version (that would ask every consultant to consent again to the
same words) and no published row rewritten: each text gains a translation
row, which 0007 allows once for a published text and never changes after.

A text gets the Filipino written here only if its English is exactly the
English it was written from: the first text of "public events" (0004) and
the demo texts (``consultants/demo.py``, in development databases). Any
other published text (written by the programme on the admin site) keeps
showing its English until an administrator adds its Filipino there.

The Filipino follows docs/glossary-fil.md. The texts are in her own voice,
like the English ("Pumapayag ako…": she says it), plain and warm, no "po".

Going back leaves the translations in place: consent records may already
say a consultant read one of them.
"""

from django.db import migrations

PUBLIC_EVENTS_EN = (
    "I agree to take part in events where people from outside the programme are "
    "present, such as government officials, the public or the media, in person or "
    "online.\n\n"
    "Before each event, the team tells me who will be there and how I will be "
    "protected. I am named only by my pseudonym unless I choose otherwise. I can "
    "still say no to any event, and I can step back at any time, even on the day, "
    "without giving a reason.\n\n"
    "Agreeing to this does not mean I agree to be quoted, photographed or recorded: "
    "those are separate choices. I can withdraw this consent at any time."
)
PUBLIC_EVENTS_FIL = (
    "Pumapayag akong sumali sa mga event na may mga taong mula sa labas ng programa, "
    "gaya ng mga opisyal ng gobyerno, ng publiko o ng media, harapan man o online.\n\n"
    "Bago ang bawat event, sasabihin sa akin ng team kung sino-sino ang naroon at kung "
    "paano ako poprotektahan. Ang pangalan ko sa Tinig (ang pseudonym ko) lang ang "
    "gagamitin para sa akin, maliban kung iba ang piliin ko. Puwede pa rin akong "
    "humindi sa kahit anong event, at puwede akong umatras kahit kailan, kahit sa mismong "
    "araw, nang hindi nagbibigay ng dahilan.\n\n"
    "Ang pagpayag dito ay hindi nangangahulugang pumapayag na rin akong ma-quote, "
    "makunan ng litrato o ma-record: hiwalay na pagpili ang bawat isa sa mga iyon. "
    "Puwede kong bawiin ang pahintulot na ito kahit kailan."
)

# (scope, English as published) -> Filipino.
FILIPINO = {
    ("public_events", PUBLIC_EVENTS_EN): PUBLIC_EVENTS_FIL,
    # The demo texts (consultants/demo.py), for development databases.
    (
        "participation",
        "DEMO TEXT. I agree to take part in Tinig's programme as a paid "
        "consultant. I can stop at any time without giving a reason.",
    ): "DEMO TEXT. Pumapayag akong sumali sa programa ng Tinig bilang bayad na "
    "consultant. Puwede akong tumigil kahit kailan, kahit walang dahilan.",
    (
        "data_processing",
        "DEMO TEXT. I agree that Tinig keeps the details I give, encrypted, "
        "to arrange and pay my work. I can ask to see them or to have them erased.",
    ): "DEMO TEXT. Pumapayag akong itago ng Tinig, naka-encrypt, ang mga detalyeng "
    "ibinibigay ko, para maisaayos at mabayaran ang trabaho ko. Puwede kong hilinging "
    "makita ang mga ito o ipabura.",
    (
        "photo",
        "DEMO TEXT. I agree to be photographed at events, in ways that do not show "
        "my face unless I say so each time.",
    ): "DEMO TEXT. Pumapayag akong makunan ng litrato sa mga event, sa paraang hindi "
    "kita ang mukha ko, maliban kung sabihin kong puwede, sa bawat pagkakataon.",
    (
        "video",
        "DEMO TEXT. I agree to be filmed at events, in ways that do not show my "
        "face unless I say so each time.",
    ): "DEMO TEXT. Pumapayag akong makunan ng video sa mga event, sa paraang hindi "
    "kita ang mukha ko, maliban kung sabihin kong puwede, sa bawat pagkakataon.",
    (
        "audio",
        "DEMO TEXT. I agree that sessions I take part in may be audio recorded.",
    ): "DEMO TEXT. Pumapayag akong i-record ang audio ng mga sesyong sinasalihan ko.",
    (
        "quoting",
        "DEMO TEXT. I agree to be quoted by my pseudonym.",
    ): "DEMO TEXT. Pumapayag akong ma-quote gamit ang pangalan ko sa Tinig (ang pseudonym ko).",
    (
        "story",
        "DEMO TEXT. I agree to share parts of my story that I choose, with audiences "
        "I choose, for each engagement.",
    ): "DEMO TEXT. Pumapayag akong ibahagi ang mga bahagi ng kuwento ko na pipiliin "
    "ko, sa mga makikinig na pipiliin ko, sa bawat gawain.",
    (
        "media",
        "DEMO TEXT. I agree that journalists may ask Tinig to put them in touch with "
        "me. I decide each time.",
    ): "DEMO TEXT. Pumapayag akong puwedeng hilingin ng mga mamamahayag sa Tinig na "
    "ikonekta sila sa akin. Ako ang magpapasya sa bawat pagkakataon.",
    (
        "public_events",
        "DEMO TEXT. I agree to take part in events with people from outside "
        "the programme, by my pseudonym. I can say no to any event.",
    ): "DEMO TEXT. Pumapayag akong sumali sa mga event na may mga taong mula sa labas "
    "ng programa, gamit ang pangalan ko sa Tinig (ang pseudonym ko). Puwede akong "
    "humindi sa kahit anong event.",
}


def translate_published_texts(apps, schema_editor):
    ConsentText = apps.get_model("consultants", "ConsentText")
    ConsentTextTranslation = apps.get_model("consultants", "ConsentTextTranslation")
    for (scope, english), filipino in FILIPINO.items():
        texts = ConsentText.objects.filter(
            scope=scope, body=english, published_at__isnull=False
        ).exclude(translations__language="fil")
        ConsentTextTranslation.objects.bulk_create(
            ConsentTextTranslation(text=text, language="fil", body=filipino) for text in texts
        )


class Migration(migrations.Migration):
    dependencies = [("consultants", "0007_consent_translation_guards")]

    operations = [migrations.RunPython(translate_published_texts, migrations.RunPython.noop)]
