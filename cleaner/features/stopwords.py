"""Function words of many languages, for the stopword-share cue.

Body text is prose, and prose is full of function words in any language;
menus, bylines and link lists are not. The lists are short on purpose: the
most frequent function words of each language, so that a content word of one
language rarely doubles as a function word of another. The model does not
rely on these alone: `features.py` also measures the share of the page's own
most frequent tokens, which needs no list at all.
"""

FUNCTION_WORDS: dict[str, str] = {
    "en": "the of and a an to in is was it that for on with as by at from be are were "
    "this which or but not have has had he she they we you his her their its will would "
    "can could been who what when there into about than more also after said",
    "de": "der die das und ein eine einen einem einer zu in ist war nicht mit von den dem "
    "des für auf als auch sich es er sie wir ich bei aus nach wie wird werden hat haben "
    "dass oder aber noch nur im zum zur am so",
    "fr": "le la les de des du un une et est à au aux en dans que qui pour sur par pas "
    "ne ce cette il elle ils nous vous sont a été avec plus se son sa ses leur mais ou "
    "comme aussi",
    "es": "el la los las de del y en un una es que por con para se no al lo su sus como "
    "más pero fue ha han era este esta entre sobre también ya o le les",
    "it": "il lo la i gli le di del della dei e è un una in che per con non si da al "
    "alla sono come ma anche più ha hanno era questo questa nel nella su",
    "pt": "o a os as de do da dos das e é um uma em no na que para com não se por ao "
    "mais como mas foi ser está são tem sua seu também pelo pela",
    "nl": "de het een en van in is dat op te zijn met voor niet die er aan ook als bij "
    "maar om door naar heeft hij zij wordt werd was",
    "sv": "och i att det som en på är av för med till den har de inte om ett var jag "
    "men sig från vid så kan eller han hon",
    "da": "og i at det som en på er af for med til den har de ikke om et var jeg men "
    "sig fra ved så kan eller han hun der",
    "no": "og i å det som en på er av for med til den har de ikke om et var jeg men "
    "seg fra ved så kan eller han hun der",
    "fi": "ja on ei että se oli hän ovat mutta tai kun myös joka jo vain niin sen ovat "
    "olla mukaan sekä",
    "pl": "i w na z się nie do to że jest o jak a ale po co od przez za dla jego tak "
    "są już tym czy być",
    "cs": "a v se na je že to s z o do i k ve jako by pro jsou ale po za tak jeho které "
    "který již",
    "ru": "и в не на что с по как это он она они мы вы я из за к у о от для но так же "
    "был была было были его её их который которые уже или",
    "uk": "і в не на що з по як це він вона вони ми ви я із за до у о від для але так "
    "та був була було були його її їх який які вже або",
    "tr": "ve bir bu da de ile için olarak çok daha gibi ne ama en olan o mi ya kadar "
    "sonra her şey",
    "id": "yang dan di ke dari untuk dengan ini itu pada tidak adalah dalam akan juga "
    "oleh ada atau karena sebagai",
    "ro": "și în de la a cu pe că nu din este o un care pentru mai sunt se au fost ca "
    "dar sau",
    "hu": "a az és hogy nem is egy van volt meg de csak már el ez mint ha még",
    "el": "και το η ο να του της τα των σε με για που από στο στην είναι θα δεν οι "
    "τον την ένα μια",
}

STOPWORDS: frozenset[str] = frozenset(
    word for words in FUNCTION_WORDS.values() for word in words.split()
)
