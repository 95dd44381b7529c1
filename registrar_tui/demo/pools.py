"""Static material the demo draws from: names, streets, schools, works, comments.

Names come from Faker's fr_CA provider lists (sampled with the generator's own seeded
`random.Random`, which is much faster than calling Faker per row), plus first names
common among Quebec children today.
"""

from __future__ import annotations

from itertools import accumulate

from faker.providers.person.fr_CA import Provider as _FrCaPerson

ADULT_FIRST_FEMALE: tuple[str, ...] = tuple(_FrCaPerson.first_names_female)
ADULT_FIRST_MALE: tuple[str, ...] = (
    *_FrCaPerson.first_names_male,
    "Jean-François",
    "Marc-André",
    "Jean-Philippe",
    "Pierre-Luc",
    "Jean-Sébastien",
)
CHILD_FIRST_FEMALE: tuple[str, ...] = (
    "Léa", "Emma", "Florence", "Alice", "Olivia", "Charlie", "Zoé", "Rosalie", "Béatrice",
    "Juliette", "Charlotte", "Livia", "Maëlle", "Mia", "Éléonore", "Clara", "Laurence",
    "Mégane", "Anaïs", "Camille", "Marie-Ève", "Anne-Sophie", "Marie-Pier", "Noémie",
    "Élodie", "Maude", "Ophélie", "Justine", "Gabrielle", "Léonie", "Hélène", "Aurélie",
    "Sarah-Maude", "Victoria", "Romane", "Jade", "Élise", "Frédérique", "Mélodie", "Coralie",
)  # fmt: skip
CHILD_FIRST_MALE: tuple[str, ...] = (
    "Noah", "William", "Liam", "Thomas", "Léo", "Jacob", "Édouard", "Félix", "Arthur",
    "Nathan", "Samuel", "Raphaël", "Émile", "Logan", "Théo", "Louis", "Jules", "Olivier",
    "Gabriel", "Xavier", "Antoine", "Mathis", "Zachary", "Alexis", "Loïc", "Jean-François",
    "Marc-Antoine", "Charles-Étienne", "Benjamin", "Éloi", "Hugo", "Maxime", "Étienne",
    "Justin", "Mathéo", "Anthony", "Laurent", "Vincent", "Cédric", "Jérémie",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = tuple(_FrCaPerson.last_names)
# The provider lists surnames by frequency in Quebec (Tremblay first): weight by rank.
LAST_NAME_CUM_WEIGHTS: tuple[float, ...] = tuple(
    accumulate(1.0 / (rank + 8) for rank in range(len(LAST_NAMES)))
)

# Per establishment: (city, postal prefixes, area codes) and streets.
CITIES: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]] = {
    "MTL": (
        ("Montréal", ("H2J", "H2T", "H2S", "H2G", "H1Y", "H3T", "H2R", "H4A"), ("514", "438")),
        ("Laval", ("H7N", "H7G", "H7T"), ("450", "579")),
        ("Longueuil", ("J4K", "J4H", "J4J"), ("450", "579")),
        ("Brossard", ("J4W", "J4Z"), ("450",)),
    ),
    "QC": (
        ("Québec", ("G1R", "G1S", "G1V", "G1K", "G1L", "G1M"), ("418", "581")),
        ("Lévis", ("G6V", "G6W", "G6Z"), ("418", "581")),
        ("L'Ancienne-Lorette", ("G2E",), ("418",)),
        ("Saint-Augustin-de-Desmaures", ("G3A",), ("418",)),
    ),
    "GAT": (
        ("Gatineau", ("J8X", "J8Y", "J8T", "J8P", "J9H", "J9J"), ("819", "873")),
        ("Chelsea", ("J9B",), ("819",)),
        ("Cantley", ("J8V",), ("819",)),
    ),
}
STREETS: dict[str, tuple[str, ...]] = {
    "MTL": (
        "rue Saint-Denis",
        "rue Saint-Hubert",
        "avenue du Mont-Royal Est",
        "rue Rachel Est",
        "boulevard Saint-Laurent",
        "avenue Papineau",
        "rue Beaubien Est",
        "rue Jean-Talon Est",
        "avenue Christophe-Colomb",
        "rue de Bordeaux",
        "rue Fullum",
        "avenue Laurier Ouest",
        "chemin de la Côte-des-Neiges",
        "avenue Van Horne",
        "rue Masson",
        "boulevard Rosemont",
        "rue de la Visitation",
        "avenue De Lorimier",
        "rue Saint-Zotique Est",
        "rue Wellington",
        "boulevard des Laurentides",
        "rue Notre-Dame Ouest",
        "avenue Querbes",
        "rue Boyer",
    ),
    "QC": (
        "chemin Sainte-Foy",
        "rue Saint-Jean",
        "avenue Cartier",
        "3e Avenue",
        "rue Saint-Joseph Est",
        "boulevard Charest Ouest",
        "avenue Maguire",
        "route de l'Église",
        "chemin Saint-Louis",
        "rue de la Couronne",
        "avenue Myrand",
        "rue Saint-Vallier Ouest",
        "boulevard René-Lévesque Ouest",
        "avenue des Érables",
        "rue Dorchester",
        "boulevard Guillaume-Couture",
        "rue des Commandeurs",
        "avenue Royale",
    ),
    "GAT": (
        "boulevard Saint-Joseph",
        "rue Laurier",
        "boulevard de la Gappe",
        "rue Main",
        "boulevard Maloney Ouest",
        "chemin d'Aylmer",
        "rue Jacques-Cartier",
        "boulevard du Plateau",
        "rue Notre-Dame",
        "chemin Vanier",
        "rue Eddy",
        "boulevard des Hautes-Plaines",
        "rue Principale",
        "chemin de la Montagne",
    ),
}
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"

# Per establishment: (primary schools, secondary schools, colleges).
SCHOOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "MTL": (
        ("École primaire Saint-Arsène", "École primaire des Cinq-Continents",
         "École Au-Pied-de-la-Montagne", "École primaire Lanaudière", "École Le Plateau"),
        ("École secondaire Joseph-François-Perrault", "École secondaire Pierre-Laporte",
         "Collège Regina Assumpta", "École secondaire Jeanne-Mance"),
        ("Cégep de Saint-Laurent", "Cégep du Vieux Montréal", "Université de Montréal"),
    ),
    "QC": (
        ("École primaire Saint-Jean-Baptiste", "École des Berges", "École primaire du Buisson"),
        ("École secondaire de Rochebelle", "Collège des Jésuites",
         "École secondaire Cardinal-Roy"),
        ("Cégep Garneau", "Cégep de Sainte-Foy", "Université Laval"),
    ),
    "GAT": (
        ("École du Vieux-Verger", "École primaire des Deux-Ruisseaux",
         "École primaire du Plateau"),
        ("École secondaire de l'Île", "École secondaire Mont-Bleu"),
        ("Cégep de l'Outaouais", "Université du Québec en Outaouais"),
    ),
}  # fmt: skip
ALLERGIES = ("Arachides", "Noix", "Lactose", "Pénicilline", "Fruits de mer", "Pollen, poussière")
MEDICAL = (
    "Asthme (pompe dans le sac)",
    "Diabète de type 1",
    "Épilepsie — voir le plan d'intervention",
    "TDAH",
    "Port de lunettes",
)
GUARDIAN_LABELS_F = ("Mère", "Mère", "Mère", "Tutrice", "Grand-mère")
GUARDIAN_LABELS_M = ("Père", "Père", "Père", "Tuteur", "Grand-père")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

EVALUATION_TITLES: dict[str, tuple[str, ...]] = {
    "instrument": (
        "Audition technique", "Gammes et arpèges", "Lecture à vue", "Examen de mi-session",
        "Évaluation continue", "Étude imposée",
    ),
    "voice": ("Vocalises", "Audition technique", "Lecture à vue", "Examen de mi-session"),
    "theory": ("Dictée mélodique", "Dictée rythmique", "Test d'intervalles", "Analyse harmonique"),
    "drama": ("Monologue", "Improvisation", "Scène de groupe", "Lecture interprétée"),
    "ensemble": ("Répétition évaluée", "Travail d'équipe", "Examen de mi-session"),
}  # fmt: skip
FINAL_TITLE = "Examen de fin de session"
COMMENTS_HIGH = (
    "Excellent travail, sonorité riche et musicalité remarquable.",
    "Très belle progression; continuez ainsi!",
    "Interprétation sensible et bien maîtrisée.",
    "Travail rigoureux et constant. Félicitations.",
    "Belle présence sur scène, texte parfaitement maîtrisé.",
)
COMMENTS_MID = (
    "Bon travail dans l'ensemble; la pulsation reste à stabiliser.",
    "Progrès constants. Travailler davantage la lecture à vue.",
    "Attention à la posture et à la détente des épaules.",
    "Bonne compréhension, mais la pratique à la maison doit être plus régulière.",
    "Intonation à surveiller dans les passages rapides.",
)
COMMENTS_LOW = (
    "Difficultés avec le rythme; une pratique quotidienne est nécessaire.",
    "Plusieurs absences ont nui à la progression.",
    "Le répertoire n'était pas prêt pour l'examen. Rencontre à prévoir.",
)
ABSENCE_JUSTIFIED = (
    "Maladie", "Rendez-vous médical", "Rendez-vous chez le dentiste", "Funérailles",
    "Tempête de neige", "Compétition sportive", "Sortie scolaire", "Voyage familial",
)  # fmt: skip
ABSENCE_UNJUSTIFIED = ("Aucun motif fourni", "", "Oubli", "Retard de plus de 30 minutes")

# Works by discipline code: (composer, title).
WORKS: dict[str, tuple[tuple[str, str], ...]] = {
    "PIA": (
        ("Johann Sebastian Bach", "Invention à deux voix no 8 en fa majeur, BWV 779"),
        ("Johann Sebastian Bach", "Prélude et fugue en do mineur, BWV 847"),
        ("Frédéric Chopin", "Nocturne en mi bémol majeur, op. 9 no 2"),
        ("Frédéric Chopin", "Valse en la mineur, B. 150"),
        ("Claude Debussy", "Clair de lune (Suite bergamasque)"),
        ("Claude Debussy", "Doctor Gradus ad Parnassum (Children's Corner)"),
        ("Claude Champagne", "Quadrilha brasileira"),
        ("André Mathieu", "Prélude no 1"),
        ("Wolfgang Amadeus Mozart", "Sonate en do majeur, K. 545"),
        ("Ludwig van Beethoven", "Für Elise, WoO 59"),
        ("Robert Schumann", "Rêverie (Scènes d'enfants, op. 15)"),
        ("Erik Satie", "Gymnopédie no 1"),
    ),
    "VLN": (
        ("Antonio Vivaldi", "Concerto en la mineur, RV 356"),
        ("Claude Champagne", "Danse villageoise"),
        ("Johann Sebastian Bach", "Partita no 2 en ré mineur, BWV 1004 — Gigue"),
        ("Fritz Kreisler", "Liebesleid"),
        ("Wolfgang Amadeus Mozart", "Concerto no 3 en sol majeur, K. 216"),
        ("Jules Massenet", "Méditation de Thaïs"),
    ),
    "VLC": (
        ("Camille Saint-Saëns", "Le Cygne (Le Carnaval des animaux)"),
        ("Johann Sebastian Bach", "Suite no 1 en sol majeur, BWV 1007 — Prélude"),
        ("Gabriel Fauré", "Élégie, op. 24"),
        ("Antonio Vivaldi", "Sonate en mi mineur, RV 40"),
    ),
    "FLT": (
        ("Wolfgang Amadeus Mozart", "Concerto en sol majeur, K. 313"),
        ("Claude Debussy", "Syrinx"),
        ("Gabriel Fauré", "Fantaisie, op. 79"),
        ("Antonio Vivaldi", "Concerto « Il Gardellino », RV 428"),
    ),
    "GUI": (
        ("Francisco Tárrega", "Recuerdos de la Alhambra"),
        ("Heitor Villa-Lobos", "Prélude no 1"),
        ("Fernando Sor", "Étude en si mineur, op. 35 no 22"),
        ("Johann Sebastian Bach", "Bourrée en mi mineur, BWV 996"),
    ),
    "CLA": (
        ("Wolfgang Amadeus Mozart", "Concerto pour clarinette en la majeur, K. 622"),
        ("Carl Maria von Weber", "Concertino, op. 26"),
    ),
    "TRP": (
        ("Joseph Haydn", "Concerto en mi bémol majeur, Hob. VIIe:1"),
        ("Henry Purcell", "Trumpet Tune"),
    ),
    "CHT": (
        ("Wolfgang Amadeus Mozart", "« Voi che sapete » (Les Noces de Figaro)"),
        ("Gabriel Fauré", "Après un rêve, op. 7 no 1"),
        ("Calixa Lavallée", "Ô Canada (version de concert)"),
        ("Henry Purcell", "« When I am laid in earth » (Didon et Énée)"),
        ("Reynaldo Hahn", "À Chloris"),
    ),
    "ADR": (
        ("Molière", "Le Malade imaginaire — acte I, scène 5"),
        ("Michel Tremblay", "Les Belles-sœurs — monologue de Pierrette"),
        ("Réjean Ducharme", "Ha ha!… — extrait"),
        ("Marcel Dubé", "Zone — acte II"),
        ("Jean Racine", "Phèdre — acte I, scène 3"),
    ),
    "MCH": (
        ("Joseph Haydn", "Quatuor à cordes op. 76 no 3 « L'Empereur » — 2e mouvement"),
        ("Antonín Dvořák", "Trio « Dumky », op. 90 — 1er mouvement"),
        ("Claude Debussy", "Petite suite — En bateau"),
    ),
    "ORC": (
        ("Wolfgang Amadeus Mozart", "Eine kleine Nachtmusik, K. 525"),
        ("Edvard Grieg", "Suite Holberg — Prélude"),
        ("Claude Champagne", "Suite canadienne"),
    ),
}
REENROLMENT_NOTES = (
    "Souhaite poursuivre avec le même professeur.",
    "Disponible seulement le mardi ou le jeudi après 16 h.",
    "Aimerait ajouter la musique de chambre si possible.",
    "Préférence pour un cours le samedi matin.",
    "",
    "",
)
BANKS = (
    "Desjardins", "Banque Nationale", "RBC Banque Royale", "Banque TD", "BMO Banque de Montréal",
    "Banque Scotia", "CIBC", "Banque Laurentienne",
)  # fmt: skip
CREDIT_BRANDS = ("Visa", "Visa", "Mastercard", "Mastercard", "American Express")
