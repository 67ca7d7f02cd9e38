using System.Text;

namespace StTrain.Tests.Models;

/// <summary>
/// Texts for encoder parity checks: plain sentences, one-word inputs, accents and non-Latin scripts, CJK, emoji,
/// control whitespace, code and URLs, generated sentences of many lengths, and texts far past 512 word pieces.
/// </summary>
public static class ParityTexts
{
    private static readonly string[] Handwritten =
    [
        "A man is playing a guitar.",
        "The quick brown fox jumps over the lazy dog.",
        "How do I reset my password?",
        "Photosynthesis converts light energy into chemical energy stored in glucose.",
        "The Eiffel Tower was completed in 1889 for the World's Fair in Paris.",
        "Stock markets fell sharply after the central bank raised interest rates by 0.75%.",
        "hello",
        "Hello",
        "HELLO",
        "antidisestablishmentarianism",
        "supercalifragilisticexpialidocious",
        "unaffable",
        "42",
        "?",
        "...",
        "",
        "   ",
        "Café crème brûlée à la française.",
        "naïve résumé façade coöperate",
        "Über die Brücke gehen Müller und Schäfer.",
        "¿Dónde está la biblioteca? ¡Está allí!",
        "Ελληνικά: η γρήγορη καφέ αλεπού.",
        "Быстрая коричневая лиса прыгает через ленивую собаку.",
        "我喜欢机器学习和自然语言处理。",
        "東京は日本の首都です。",
        "한국어 문장도 토큰화됩니다.",
        "مرحبا بالعالم",
        "שלום עולם",
        "हिन्दी में एक वाक्य।",
        "ภาษาไทยไม่มีช่องว่างระหว่างคำ",
        "Emoji test 😀🚀🔥 with text.",
        "Mixed: English, français, Deutsch, 中文, русский.",
        "Tabs\tand\nnewlines\r\nin   the text.",
        "Zero\u200Bwidth space and soft\u00ADhyphen.",
        "Control\u0007char and NUL-free text.",
        "https://example.com/path?query=1&other=two#fragment",
        "user.name+tag@example.org wrote: \"see section 3.2(b)\"",
        "def forward(self, x): return torch.relu(self.linear(x))",
        "SELECT id, name FROM users WHERE age > 30 ORDER BY name;",
        "E = mc^2 and ∑_{i=1}^{n} i = n(n+1)/2",
        "The price is $1,299.99 (excluding VAT at 20%).",
        "C'est l'été! Qu'est-ce que c'est?",
        "It's 5 o'clock somewhere — isn't it?",
        "Don't stop believin'.",
        "DNA, RNA and ATP are abbreviations used in biology.",
        "iPhone, eBay, McDonald's and YouTube are brand names.",
        "Represent this sentence for searching relevant passages: what is a transformer?",
        "what is the capital of france",
        "Paris is the capital and most populous city of France.",
        "Berlin is the capital of Germany.",
        "A woman is slicing an onion.",
        "Two dogs are running through a snowy field.",
        "The cat sat on the mat.",
        "The mat was sat on by the cat.",
        "No one knows what tomorrow brings.",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "word " + new string('x', 150),
        "Ωμέγα and ÅNGSTRÖM in upper case.",
        "İstanbul'da ışık ve ğ harfi.",
        "Ⅻ ① ﬁ ﬂ full-width ＡＢＣ １２３",
    ];

    private static readonly string[] Vocabulary =
    [
        "model", "training", "data", "the", "a", "of", "network", "learns", "quickly", "slowly", "river", "mountain",
        "city", "people", "computer", "language", "music", "history", "science", "cooking", "recipe", "weather",
        "tomorrow", "yesterday", "beautiful", "broken", "question", "answer", "search", "engine", "retrieval",
        "embedding", "vector", "similarity", "sentence", "paragraph", "document", "football", "election", "market",
        "price", "doctor", "hospital", "medicine", "travel", "airport", "coffee", "tea", "garden", "flower", "is",
        "are", "was", "and", "or", "but", "because", "when", "where", "how", "why", "with", "without", "in", "on",
    ];

    private const string Paragraph =
        "Sentence embeddings map text to dense vectors so that semantically similar texts lie close together. " +
        "They are trained with contrastive objectives on large collections of paired texts, such as questions and " +
        "answers, titles and bodies, or duplicate questions from community forums. ";

    /// <summary>All texts, deterministic: the hand-written ones, 60 generated ones and 4 very long ones.</summary>
    public static IReadOnlyList<string> All { get; } = Build();

    private static List<string> Build()
    {
        var texts = new List<string>(Handwritten);
        var random = new Random(20240917);
        for (int i = 0; i < 60; i++)
        {
            int words = 1 + (int)Math.Round(Math.Pow(random.NextDouble(), 2) * 120);
            var builder = new StringBuilder();
            for (int j = 0; j < words; j++)
            {
                string word = Vocabulary[random.Next(Vocabulary.Length)];
                if (j == 0 || random.NextDouble() < 0.05) word = char.ToUpperInvariant(word[0]) + word[1..];
                builder.Append(word).Append(random.NextDouble() < 0.1 ? ", " : " ");
            }
            texts.Add(builder.ToString().TrimEnd(' ', ',') + (i % 3 == 0 ? "?" : "."));
        }
        texts.Add(string.Concat(Enumerable.Repeat(Paragraph, 12)));
        texts.Add(string.Concat(Enumerable.Repeat("Long text with accents: déjà vu, façade, jalapeño. ", 80)));
        texts.Add(string.Join(" ", Enumerable.Range(0, 700).Select(i => Vocabulary[i % Vocabulary.Length])));
        texts.Add(string.Concat(Enumerable.Repeat("中文文本很长。", 120)));
        return texts;
    }
}
