"""The demo's committee document: the interim report of 2022 with the prose of the source
document (the administration's own public report, Dnr 1.3.2-266/2022). Its figures are not here:
they are written from the demo's synthetic records, which reproduce the report's figures."""

import datetime

from samverkan.partnership.models import Partnership
from samverkan.reports.services import report_create

DRAFTS = {
    "proposed_decision": (
        "Socialnämnden godkänner tjänsteutlåtandet som delrapportering av hur det idéburna "
        "offentliga partnerskapet fortlöper."
    ),
    "summary": (
        "Socialförvaltningen ingick i december 2021 ett idéburet offentligt partnerskap med "
        "Stiftelsen 1000 möjligheter, i syfte att förebygga våld i ungas nära relationer. "
        "Förvaltningen representeras av Stödcentrum för unga brottsutsatta och vittnen samt "
        "avdelningen för stadsövergripande sociala frågor. Perioden för partnerskapet är 15 "
        "december 2021 till och med 14 december 2022. Partnerskapet kan förlängas med ett år "
        "i taget, dock längst till den 14 december 2024. Inom ramen för denna tidsperiod sker"
        " en automatisk förlängning av överenskommelsen med ett år i taget, om inte denna "
        "sägs upp av endera part senast den 14 september respektive år.\n"
        "\n"
        "Huvudsyftet med partnerskapet är att stärka det förebyggande arbetet mot våld i "
        "ungas nära relationer. Målgruppen är 13-23 år. Syftet ska uppnås genom att parterna "
        "gemensamt verkar för att ungdomar får en förhöjd kunskap om hur våld i en "
        "partnerrelation kan ta sig uttryck och vad det kan få för konsekvenser, samt att "
        "fler unga som utövar våld identifieras och i förlängningen tar emot stöd som syftar "
        "till att upphöra med våldsutövandet. Partnerskapet har pågått i ett halvt år, vilket"
        " gör att det är för tidigt att utvärdera vilka effekter partnerskapet hittills haft "
        "på det förebyggande arbetet av våld i ungas nära relationer. Däremot har den ökade "
        "samverkan skapat möjligheter för en ökad samsyn och ett gemensamt fokus på den "
        "utmaning som våld i ungas nära relationer är. Partnerskapet har gett förutsättningar"
        " för samverkan både på strategisk och operativ nivå. Under det halvår som "
        "partnerskapet pågått har många beröringspunkter och viktiga kontaktytor "
        "identifierats, där parterna kan berika varandra och skapa synergieffekter."
    ),
    "background": (
        "Våld i ungas parrelationer uppmärksammas mer och mer som ett samhällsproblem, i "
        "Sverige och internationellt. Förekomsten av våld mellan unga som har eller haft "
        "någon typ av intim relation observeras i allt högre utsträckning. Få studier har "
        "belyst ungas våldsutsatthet i parrelationer i Sverige, men utifrån den forskning som"
        " finns verkar ungdomar och särskilt unga vuxna vara mer utsatta jämfört med äldre "
        "vuxna.\n"
        "\n"
        "Våld i ungas parrelationer liknar på många sätt våld bland vuxna, men är samtidigt "
        "ett fenomen med särskilda omständigheter kopplade till ungdomstiden, som är en tid "
        "av identitetsskapande, intensiv social inlärning, och ökad autonomi i förhållande "
        "till föräldrar. Det är också under ungdomstiden som starka känslomässiga band i "
        "parrelationer börjar etableras och som sexualiteten får en ökad betydelse för "
        "individen. Ungas begränsade erfarenheter av tidigare relationer kan också påverka "
        "hur de identifierar vad som är ett våldsamt beteende och vad som är ”normalt” i en "
        "relation. Det är högst angeläget att ta sig an problematiken med våld i ungas "
        "relationer, för att bryta normaliseringsprocessen tidigt.\n"
        "\n"
        "Att nå de personer som utövar våld i en partnerrelation är komplicerat. Om inte "
        "brottet anmäls finns det inget naturligt incitament för socialtjänsten att gripa in "
        "till stöd varken för den som utsätts eller våldsutövaren. Att vända sig till en "
        "kommunal verksamhet, vare sig det är myndighetsutövande socialtjänst eller öppna "
        "verksamheter som till exempel ungdomsmottagningen, kan verka skrämmande även om det "
        "finns behov av stöd. Idéburna organisationer kan erbjuda andra möjligheter, som till"
        " exempel anonymt stöd genom chatt, som ger förutsättningar att motivera den unge "
        "till att ta emot mer stöd för att åstadkomma en förändring.\n"
        "\n"
        "Idéburet offentligt partnerskap (IOP) är en samverkansform som innebär en "
        "överenskommelse mellan en eller flera idéburna organisationer och den offentliga "
        "sektorn, för att gemensamt ta sig an en samhällsutmaning. Socialförvaltningen ingick"
        " i december förra året partnerskap med Stiftelsen 1000 möjligheter för att fokusera "
        "på våld i ungas nära relationer. Genom att sätta ljuset på unga våldsutövare och öka"
        " kunskapen om fenomenet hos unga, kan grunden läggas för ett framgångsrikt arbete "
        "mot våld i ungas nära relationer. Socialnämnden ersätter stiftelsen med 700 000 "
        "kronor per år som partnerskapet pågår."
    ),
    "preparation": (
        "Ärendet har beretts inom avdelningen för stadsövergripande sociala frågor. "
        "Stiftelsen 1000 möjligheter och Stödcentrum för unga brottsutsatta och vittnen har "
        "inkommit med en gemensam rapportering av de första fem månaderna för partnerskapet. "
        "Ärendet har behandlats i förvaltningsgrupp den 24 augusti 2022. Rådet för "
        "funktionshinderfrågor har haft möjlighet att behandla ärendet den 25 augusti 2022."
    ),
    "matter": (
        "I detta tjänsteutlåtande redogörs för vad som hittills genomförts inom ramen för "
        "IOP:t och vilka effekter som kan synas efter en förhållandevis kort tid av "
        "partnerskapet.\n"
        "\n"
        "Uppföljning av partnerskapet sker utöver denna delrapportering enligt följande:\n"
        "\n"
        "- Samverkansgruppen ska lämna en verksamhetsrapport till styrgruppen två gånger per "
        "år, samt en årlig sammanställning.\n"
        "- Stiftelsen ska en gång per år lämna en ekonomisk redovisning för hur de använt de "
        "medel de erhållit inom ramen för partnerskapet."
    ),
    "report_intro": (
        "Efter sex månader går det inte att utläsa några effekter på målgruppsnivå av det som"
        " hittills gjorts inom ramen för partnerskapet. Däremot har den ökade samverkan "
        "skapat möjligheter för en ökad samsyn och ett gemensamt fokus på den utmaning som "
        "våld i ungas nära relationer är. Nedan ges en kort redogörelse av respektive "
        "verksamhets uppdrag, vilka insatser som genomförts, samt hur besöksstatistiken sett "
        "ut under det halvår som IOP:t pågått.\n"
        "\n"
        "Stiftelsen 1000 möjligheter har sedan år 2010 mött unga utsatta för våld, både "
        "online och på en fysisk mottagning. På den fysiska mottagningen möter de unga en "
        "psykolog med kompetens och erfarenhet av att möta unga utsatta för våld i sin "
        "relation, sexuellt våld samt prostitution och människohandel. Ungarelationer.se är "
        "en digital stöd- och kunskapsplattform som syftar till att motverka våld i ungas "
        "partnerrelationer. Målgruppen är unga 15-20 år, och i chatten ger utbildade "
        "volontärer stöd till unga oavsett om de är utsatta, våldsutövare eller har någon i "
        "sin närhet som utsätts eller utsätter andra."
    ),
    "gender_analysis": (
        "Partnerskapet riktar sig till barn och unga oavsett kön. Verksamheterna anpassas "
        "utifrån varje ungdoms unika situation och behov så långt det är möjligt. "
        "Överenskommelsen lyfter vikten av att ha ett tydligt jämställdhetsperspektiv då "
        "flickor och kvinnor utsätts för våld i nära relation i större utsträckning än pojkar"
        " och män. Även pojkar och män kan utsättas för våld inom en relation, men det våld "
        "som flickor och kvinnor utsätts för är generellt sett grövre och handlar i högre "
        "grad om upprepad utsatthet. Personer som identifierar sig som hbtqi är en särskild "
        "riskgrupp för att utsättas för partnervåld, vilket måste uppmärksammas i mötet med "
        "unga hbtqi-personer.\n"
        "\n"
        "Partnerskapets samlade erfarenhet hittills är att det är svårt att nå pojkar och "
        "unga män som utsätts för våld, utövar våld eller lider av exempelvis psykisk ohälsa."
        " Exempelvis är knappt 20 procent av de unga som besöker stadens ungdomsmottagningar "
        "pojkar. Stiftelsens besöksstatistik visar att det är en stor majoritet flickor som "
        "söker för att blivit utsatta för våld, medan majoriteten av de som utsätter någon är"
        " pojkar. Det finns en stark norm kring vad som ingår i att växa upp som pojke "
        "respektive flicka, vilket visar sig tydligt i den här typen av samhällsutmaningar. "
        "Det idéburna partnerskapet i sig bidrar till att synliggöra den normen, vilket är en"
        " förutsättning för att kunna bryta den genom nyanserade insatser."
    ),
    "views_and_proposal": (
        "Partnerskapet har pågått i ett halvt år, vilket gör att det är för tidigt att "
        "utvärdera vilka effekter partnerskapet hittills haft på det förebyggande arbetet av "
        "våld i ungas nära relationer. Socialförvaltningen anser dock att partnerskapet "
        "utvecklas enligt plan, utan avvikelser. De första sex månaderna har inneburit ett "
        "ökat kunskapsutbyte mellan Stiftelsen 1000 möjligheter, Stödcentrum och flera andra "
        "verksamheter inom socialtjänsten. Flera gemensamma kontaktytor har skapats, vilket "
        "leder till att fler unga våldsutövare i förlängningen kan identifieras och motiveras"
        " till förändring. Vid årets slut ämnar partnerskapet jämföra antal personer som sökt"
        " stöd för våldsutövande med året innan, samt bedöma hur många personer som aktuella "
        "verksamheter inom socialtjänsten fångat upp och hänvisat till adekvat stöd, "
        "exempelvis Stiftelsens samtalsmottagning och RVC.\n"
        "\n"
        "Unga saknar generellt kunskap om hur våld inom en relation kan ta sig uttryck, och "
        "vilka konsekvenser det kan få. Stiftelsen ska i höst, inom ramen för partnerskapet, "
        "genomföra en informationskampanj i syfte att upplysa unga om våld samt informera om "
        "att det finns stöd att få, både som våldsutövare och våldsutsatt. Kampanjen ska "
        "sedan utvärderas för att se hur brett den når ut till målgruppen.\n"
        "\n"
        "Det samarbete som nämnts mellan Stiftelsen och Stockholms ungdomstjänst är ett "
        "exempel på hur partnerskapet kan upptäcka betydelsefulla gemensamma kontaktytor, där"
        " parterna kan berika varandra och skapa synergieffekter. Parterna ska framöver "
        "identifiera ytterligare nyckelpersoner för att fånga upp fler unga våldsutövare, "
        "exempelvis de socialsekreterare som ska samlokaliseras med polisen i alla stadens "
        "lokalpolisområden, i enlighet med budgetuppdrag 2022.\n"
        "\n"
        "Förvaltningen föreslår att socialnämnden godkänner tjänsteutlåtandet som en "
        "delrapportering av det arbete som hittills genomförts inom ramen för det IOP som "
        "ingåtts mellan socialförvaltningen och Stiftelsen 1000 möjligheter."
    ),
}


def demo_reports(partnership: Partnership) -> int:
    report_create(
        partnership=partnership,
        kind="interim",
        date_from=datetime.date(2022, 1, 1),
        date_to=datetime.date(2022, 5, 31),
        reference="1.3.2-266/2022",
        document_date=datetime.date(2022, 8, 30),
        by=None,
        drafts=DRAFTS,
    )
    return 1
