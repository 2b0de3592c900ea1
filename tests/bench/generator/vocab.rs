//! What the generated text is made of: services, questions, retrieved
//! documents (ASCII and international), words, and real DSPy/LiteLLM
//! failures.

pub(super) const SERVICES: &[&str] = &[
    "dspy-qa-service",
    "dspy-research-agent",
    "dspy-support-classifier",
];

pub(super) const QUESTIONS: &[&str] = &[
    "What is the capital of France?",
    "When was the Eiffel Tower completed?",
    "Which moon of the largest planet is bigger than Mercury?",
    "In which country is the highest mountain that last erupted in 1707?",
    "Who was the first person to win Nobel Prizes in two sciences?",
    "Which language shipped 1.0 in 2015?",
    "How does photosynthesis produce oxygen?",
    "When did Germany reunify?",
    "What is the most populous metropolitan area in the world?",
    "Which river flows through the most countries?",
    "What is 17% of 2,340?",
    "Who wrote the first published algorithm?",
];

pub(super) const DOCS_ASCII: &[&str] = &[
    "Paris | Paris is the capital and most populous city of France, with an estimated population of 2.1 million residents.",
    "Tokyo | Tokyo is the capital of Japan; the Greater Tokyo Area is the most populous metropolitan area in the world.",
    "Berlin | Berlin is the capital of Germany and its largest city by both area and population.",
    "Eiffel Tower | The Eiffel Tower was completed in 1889 and was the tallest man-made structure in the world until 1930.",
    "Germany | Germany reunified on 3 October 1990, when the German Democratic Republic joined the Federal Republic.",
    "Marie Curie | Marie Curie was the first person to win Nobel Prizes in two different sciences, physics in 1903 and chemistry in 1911.",
    "Jupiter | Jupiter is the largest planet in the Solar System and has at least 95 known moons, including Ganymede.",
    "Ganymede | Ganymede is the largest moon of Jupiter and the largest in the Solar System, bigger than the planet Mercury.",
    "Mount Fuji | Mount Fuji is the highest mountain in Japan; it last erupted in 1707.",
    "Rust | Rust 1.0 was released in May 2015.",
    "Photosynthesis | Photosynthesis converts light energy into chemical energy, producing oxygen and glucose from carbon dioxide and water.",
    "Danube | The Danube flows through ten countries, more than any other river in the world.",
];

pub(super) const DOCS_ALL: &[&str] = &[
    "Paris | Paris is the capital and most populous city of France, with an estimated population of 2.1 million residents.",
    "Tokyo | Tokyo (東京) is the capital of Japan; the Greater Tokyo Area is the most populous metropolitan area in the world.",
    "Berlin | Berlin is the capital of Germany and its largest city by both area and population.",
    "Zürich | Zürich is the largest city in Switzerland; its main station, Zürich HB, serves about 470,000 passengers a day.",
    "Germany | Germany reunified on 3 October 1990, when the German Democratic Republic joined the Federal Republic.",
    "Marie Curie | Maria Skłodowska-Curie was the first person to win Nobel Prizes in two different sciences — physics (1903) and chemistry (1911).",
    "Jupiter | Jupiter is the largest planet in the Solar System and has at least 95 known moons, including Ganymede.",
    "São Paulo | São Paulo is the most populous city in the Americas outside North America, with about 12.3 million residents.",
    "Москва | Москва — столица России, крупнейший по численности населения город страны.",
    "Ada Lovelace | Ada Lovelace published the first algorithm intended for a machine in 1843 (“Note G”).",
    "Photosynthesis | Photosynthesis converts light energy into chemical energy, producing oxygen and glucose from CO₂ and water.",
    "Danube | The Danube (Donau, Dunărea, Дунав) flows through ten countries, more than any other river.",
];

pub(super) const WORDS: &[&str] = &[
    "the",
    "answer",
    "context",
    "question",
    "grounded",
    "retrieved",
    "facts",
    "citing",
    "passage",
    "details",
    "each",
    "short",
    "relevant",
    "approach",
    "reads",
    "most",
    "while",
    "keeps",
    "ignoring",
    "unrelated",
    "system",
    "source",
    "combines",
    "first",
    "then",
    "noisy",
    "robust",
    "it",
    "is",
    "and",
    "to",
    "that",
    "into",
    "a",
];

pub(super) const WORDS_INTL: &[&str] = &[
    "naïve",
    "café",
    "Zürich",
    "São Paulo",
    "résumé",
    "über",
    "—",
    "…",
    "東京",
    "Москва",
    "Ελλάδα",
    "“quoted”",
    "façade",
    "🙂",
];

pub(super) const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "litellm.exceptions.RateLimitError",
        "litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1.",
    ),
    (
        "dspy.utils.exceptions.AdapterParseError",
        "Adapter ChatAdapter failed to parse the LM response. LM Response: I am sorry, I cannot follow the requested output format today.",
    ),
    (
        "dspy.utils.exceptions.LMServerError",
        "[openai/gpt-4o-mini] The server had an error while processing your request.",
    ),
    ("ValueError", "unsupported expression: 'context answer details'"),
    ("TimeoutError", "LM call exceeded 30 s"),
];
