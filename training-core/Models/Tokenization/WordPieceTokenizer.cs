using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using static TorchSharp.torch;

namespace StTrain.Core.Models.Tokenization;

/// <summary>
/// The BERT WordPiece tokenizer of a model folder (vocab.txt + tokenizer_config.json, or the vocabulary inside
/// tokenizer.json), producing padded [CLS] … [SEP] batches with the token ids Hugging Face's BertTokenizerFast gives.
/// Microsoft.ML.Tokenizers' BertTokenizer runs the pipeline and the greedy longest-match WordPiece step; its own
/// BERT normaliser and pre-tokenizer differ from Hugging Face's (tab / newline deleted, symbols such as $ + = | °
/// dropped, "_" kept inside words), so <see cref="HuggingFaceBertNormalizer"/> and
/// <see cref="HuggingFaceBertPreTokenizer"/> replace them.
/// </summary>
public sealed class WordPieceTokenizer
{
    private const int DefaultMaxInputCharsPerWord = 100;

    private readonly BertTokenizer tokenizer;
    private readonly string[] vocabulary;
    private readonly JsonObject config;
    private readonly bool[] continuesWord;

    public int ClsId { get; }
    public int SepId { get; }
    public int PadId { get; }
    public int MaskId { get; }
    public int VocabSize => vocabulary.Length;
    public bool LowerCase { get; }

    /// <summary>model_max_length of tokenizer_config.json, when it gives a sensible one.</summary>
    public int? ModelMaxLength { get; }

    private WordPieceTokenizer(string[] vocabulary, JsonObject config, WordPieceModelSettings? model = null)
    {
        model ??= new WordPieceModelSettings();
        this.vocabulary = vocabulary;
        this.config = config;
        LowerCase = config["do_lower_case"]?.GetValue<bool>() ?? true;
        bool? stripAccents = config["strip_accents"] is JsonValue s && s.TryGetValue(out bool b) ? b : null;
        bool chineseChars = config["tokenize_chinese_chars"]?.GetValue<bool>() ?? true;

        string Token(string key, string fallback) => config[key] switch
        {
            JsonValue v when v.TryGetValue(out string? text) => text,
            JsonObject o when o["content"] is JsonValue c => c.GetValue<string>(),
            _ => fallback,
        };
        string cls = Token("cls_token", "[CLS]"), sep = Token("sep_token", "[SEP]"), pad = Token("pad_token", "[PAD]");
        string unk = Token("unk_token", model.UnknownToken ?? "[UNK]"), mask = Token("mask_token", "[MASK]");

        // A token listed twice keeps its last line, as Hugging Face's vocabulary loaders do (later entries overwrite).
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Length; i++)
            if (vocabulary[i] is { Length: > 0 } token) index[token] = i;
        int Id(string token) => index.TryGetValue(token, out int id)
            ? id
            : throw new InvalidDataException(
                $"The vocabulary ({vocabulary.Length} tokens) has no special token '{token}'. Fix: add it to " +
                "vocab.txt or name the vocabulary's own token in tokenizer_config.json.");
        ClsId = Id(cls);
        SepId = Id(sep);
        PadId = Id(pad);
        int unkId = Id(unk);
        MaskId = index.GetValueOrDefault(mask, unkId);

        if (config["model_max_length"] is JsonValue m && m.TryGetValue(out double max) && max is > 0 and < 1_000_000)
            ModelMaxLength = (int)max;

        string prefix = model.ContinuingSubwordPrefix ?? "##";
        continuesWord = vocabulary.Select(t => t is not null && t.StartsWith(prefix, StringComparison.Ordinal))
            .ToArray();

        // Special tokens are matched in the raw text, as Hugging Face's added vocabulary does.
        var specialTokens = new[] { cls, sep, pad, unk, mask }.Concat(model.AddedTokens)
            .Where(index.ContainsKey).ToList();
        int maxChars = model.MaxInputCharsPerWord ?? DefaultMaxInputCharsPerWord;
        var normalizer = new HuggingFaceBertNormalizer(LowerCase, stripAccents ?? LowerCase, chineseChars, unk,
            maxChars, specialTokens);

        using var vocabularyStream = VocabularyStream(vocabulary, index);
        tokenizer = BertTokenizer.Create(vocabularyStream, new BertOptions
        {
            Normalizer = normalizer,
            PreTokenizer = new HuggingFaceBertPreTokenizer(),
            // Our normaliser finds special tokens; the library's own matching would add lower-cased aliases.
            SplitOnSpecialTokens = false,
            UnknownToken = unk,
            ClassificationToken = cls,
            SeparatorToken = sep,
            PaddingToken = pad,
            MaskingToken = vocabulary[MaskId],
            ContinuingSubwordPrefix = prefix,
            // The library compares a word's UTF-16 length with this limit, Hugging Face its code-point count; the
            // normaliser applies Hugging Face's rule, and twice the limit never cuts a word the rule lets through.
            MaxInputCharsPerWord = 2 * maxChars,
        });
    }

    /// <summary>
    /// The vocabulary as the library reads it: one token per line, line number = id. Lines the library cannot hold
    /// (a token with a line break, which no word can match anyway, or an earlier duplicate) are left empty, which it
    /// skips while still counting the line.
    /// </summary>
    private static MemoryStream VocabularyStream(string[] vocabulary, Dictionary<string, int> index)
    {
        var text = new System.Text.StringBuilder(vocabulary.Length * 8);
        for (int i = 0; i < vocabulary.Length; i++)
        {
            string? token = vocabulary[i];
            bool usable = token is { Length: > 0 } && token.IndexOfAny(['\r', '\n']) < 0 && index[token] == i;
            text.Append(usable ? token : "").Append('\n');
        }
        return new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>
    /// A tokenizer over an in-memory vocabulary (special tokens [PAD] [UNK] [CLS] [SEP] [MASK] required).
    /// </summary>
    public static WordPieceTokenizer FromVocabulary(IReadOnlyList<string> vocabulary, bool lowerCase = true) =>
        new(vocabulary.ToArray(), new JsonObject { ["do_lower_case"] = lowerCase });

    /// <summary>
    /// Loads the tokenizer files of a model folder. tokenizer_config.json settings (do_lower_case, strip_accents,
    /// tokenize_chinese_chars, special tokens) win; tokenizer.json, when present, supplies the ones it lacks, the
    /// WordPiece settings (unk_token, continuing_subword_prefix, max_input_chars_per_word) and the added tokens, and
    /// the vocabulary when there is no vocab.txt. A tokenizer.json normaliser other than BertNormalizer is not
    /// interpreted (its settings are not read).
    /// </summary>
    public static WordPieceTokenizer Load(string directory)
    {
        string configPath = Path.Combine(directory, "tokenizer_config.json");
        var config = File.Exists(configPath) ? ReadJsonObject(configPath) : new JsonObject();
        var added = AddedTokens(config["added_tokens_decoder"] as JsonObject is { } decoder
            ? decoder.Select(entry => entry.Value)
            : []);

        string vocabPath = Path.Combine(directory, "vocab.txt");
        string jsonPath = Path.Combine(directory, "tokenizer.json");
        var model = new WordPieceModelSettings();
        string[]? vocabulary = null;
        if (File.Exists(vocabPath))
        {
            vocabulary = File.ReadAllLines(vocabPath);
            if (vocabulary.Length > 0 && vocabulary[^1].Length == 0) vocabulary = vocabulary[..^1];
        }
        if (File.Exists(jsonPath))
        {
            (var fromJson, model) = ReadTokenizerJson(jsonPath, config, needVocabulary: vocabulary is null);
            vocabulary ??= fromJson;
        }
        if (vocabulary is null)
            throw new FileNotFoundException(
                $"{directory} has neither vocab.txt nor tokenizer.json; a BERT WordPiece tokenizer needs one of them.");
        return new WordPieceTokenizer(vocabulary, config,
            model with { AddedTokens = [.. added, .. model.AddedTokens] });
    }

    private static JsonObject ReadJsonObject(string path)
    {
        try
        {
            return StTrain.Core.Models.IO.ModelJson.Read(path) as JsonObject
                   ?? throw new InvalidDataException($"{path} is not a JSON object. Fix: restore the file.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({e.Message}). Fix: restore the file.", e);
        }
    }

    /// <summary>Contents of added tokens that Hugging Face matches in the raw text (normalized: false).</summary>
    private static List<string> AddedTokens(IEnumerable<JsonNode?> entries) =>
        entries.OfType<JsonObject>()
            .Where(t => t["normalized"] is not JsonValue n || !n.TryGetValue(out bool normalized) || !normalized)
            .Select(t => t["content"] is JsonValue c && c.TryGetValue(out string? content) ? content : null)
            .OfType<string>().ToList();

    private static (string[]? Vocabulary, WordPieceModelSettings Model) ReadTokenizerJson(
        string path, JsonObject config, bool needVocabulary)
    {
        var json = ReadJsonObject(path);
        var model = json["model"] as JsonObject;
        string? type = model?["type"] is JsonValue t && t.TryGetValue(out string? name) ? name : null;
        if (type != "WordPiece" || model!["vocab"] is not JsonObject vocab)
            throw new NotSupportedException(
                $"{path}: only WordPiece tokenizers (BERT family) are supported; model.type is " +
                $"'{type ?? "missing"}'. Fix: use a BERT-family model, or add its vocab.txt.");

        if (json["normalizer"] is JsonObject normalizer && normalizer["type"]?.ToString() == "BertNormalizer")
        {
            // Keys as tokenizer_config.json names them; values only where that file is silent.
            foreach (var (key, jsonKey) in new[]
                     {
                         ("do_lower_case", "lowercase"), ("strip_accents", "strip_accents"),
                         ("tokenize_chinese_chars", "handle_chinese_chars"),
                     })
                if (!config.ContainsKey(key) && normalizer.ContainsKey(jsonKey))
                    config[key] = normalizer[jsonKey]?.DeepClone();
        }

        string? Text(string key) => model[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        var settings = new WordPieceModelSettings
        {
            UnknownToken = Text("unk_token"),
            ContinuingSubwordPrefix = Text("continuing_subword_prefix"),
            MaxInputCharsPerWord = model["max_input_chars_per_word"] is JsonValue m && m.TryGetValue(out int max)
                ? max
                : null,
            AddedTokens = AddedTokens(json["added_tokens"] as JsonArray ?? []),
        };
        if (!needVocabulary) return (null, settings);

        var ordered = new string[vocab.Count];
        foreach (var (token, idNode) in vocab)
        {
            int id = idNode is JsonValue v && v.TryGetValue(out int value) ? value : -1;
            if (id < 0 || id >= ordered.Length || ordered[id] is not null)
                throw new InvalidDataException(
                    $"{path}: model.vocab gives token '{token}' the id {idNode?.ToJsonString() ?? "null"}, but ids " +
                    $"must be distinct integers 0..{ordered.Length - 1}. Fix: restore the file from the model.");
            ordered[id] = token;
        }
        return (ordered, settings);
    }

    /// <summary>Settings of the WordPiece model in tokenizer.json; null where the file gives none.</summary>
    private sealed record WordPieceModelSettings
    {
        public string? UnknownToken { get; init; }
        public string? ContinuingSubwordPrefix { get; init; }
        public int? MaxInputCharsPerWord { get; init; }
        public IReadOnlyList<string> AddedTokens { get; init; } = [];
    }

    /// <summary>WordPiece ids of <paramref name="text"/> without special tokens.</summary>
    public IReadOnlyList<int> TokenIds(string text) =>
        tokenizer.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true,
            considerNormalization: true);

    /// <summary>Number of tokens of <paramref name="text"/> including [CLS] and [SEP].</summary>
    public int CountTokens(string text) => TokenIds(text).Count + 2;

    public string Decode(IEnumerable<int> ids) => tokenizer.Decode(ids) ?? "";

    /// <summary>
    /// [CLS] text [SEP] per row, truncated to <paramref name="maxLength"/> tokens, right-padded to the longest row.
    /// </summary>
    public Features Encode(IReadOnlyList<string> texts, int maxLength)
    {
        var rows = texts.Select(text =>
        {
            var ids = TokenIds(text);
            int keep = Math.Min(ids.Count, Math.Max(0, maxLength - 2));
            var row = new int[keep + 2];
            row[0] = ClsId;
            for (int i = 0; i < keep; i++) row[i + 1] = ids[i];
            row[^1] = SepId;
            return (row, types: (int[]?)null);
        }).ToList();
        return Pad(rows);
    }

    /// <summary>
    /// [CLS] a [SEP] b [SEP] per pair with token_type_ids 0/1, cut to <paramref name="maxLength"/> tokens the way
    /// Hugging Face tokenizers 0.23 does (strategy longest_first): each side is first cut after the word that brings
    /// it to maxLength pieces; then, with room r = maxLength - 3 and the shorter side s, the longer side keeps
    /// max(s, r - s) pieces, or, when that still does not fit, the longer side keeps r - r / 2 and the shorter r / 2
    /// (on a tie the first side counts as the shorter).
    /// </summary>
    public Features EncodePairs(IReadOnlyList<(string First, string Second)> pairs, int maxLength)
    {
        var rows = pairs.Select(pair =>
        {
            var a = TokenIds(pair.First);
            var b = TokenIds(pair.Second);
            (int keepA, int keepB) = PairLengths(WholeWordsUpTo(a, maxLength), WholeWordsUpTo(b, maxLength),
                Math.Max(0, maxLength - 3));
            var row = new List<int>(keepA + keepB + 3) { ClsId };
            row.AddRange(a.Take(keepA));
            row.Add(SepId);
            row.AddRange(b.Take(keepB));
            row.Add(SepId);
            var types = Enumerable.Repeat(0, keepA + 2).Concat(Enumerable.Repeat(1, keepB + 1)).ToArray();
            return (row.ToArray(), types: (int[]?)types);
        }).ToList();
        return Pad(rows);
    }

    /// <summary>
    /// Length of the shortest prefix of <paramref name="ids"/> that has at least <paramref name="limit"/> pieces and
    /// ends at a word end (the next piece is not a "##" continuation): where tokenizers 0.23 stops tokenizing.
    /// </summary>
    private int WholeWordsUpTo(IReadOnlyList<int> ids, int limit)
    {
        int end = Math.Max(limit, 0);
        while (end < ids.Count && continuesWord[ids[end]]) end++;
        return Math.Min(end, ids.Count);
    }

    /// <summary>Lengths of the two sides after longest_first truncation to <paramref name="room"/> pieces.</summary>
    private static (int First, int Second) PairLengths(int first, int second, int room)
    {
        if (first + second <= room) return (first, second);
        int shorter = Math.Min(first, second);
        int longer = shorter > room ? shorter : Math.Max(shorter, room - shorter);
        if (shorter + longer > room) (shorter, longer) = (room / 2, room / 2 + room % 2);
        return first > second ? (longer, shorter) : (shorter, longer);
    }

    private Features Pad(List<(int[] Row, int[]? Types)> rows)
    {
        int width = rows.Count == 0 ? 2 : rows.Max(r => r.Row.Length);
        var ids = new long[rows.Count * width];
        var mask = new long[rows.Count * width];
        var types = new long[rows.Count * width];
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < width; c++)
            {
                bool real = c < rows[r].Row.Length;
                ids[r * width + c] = real ? rows[r].Row[c] : PadId;
                mask[r * width + c] = real ? 1 : 0;
                types[r * width + c] = real && rows[r].Types is { } t ? t[c] : 0;
            }
        }
        long[] shape = [rows.Count, width];
        return new Features
        {
            [Features.InputIds] = tensor(ids, shape),
            [Features.AttentionMask] = tensor(mask, shape),
            [Features.TokenTypeIds] = tensor(types, shape),
        };
    }

    /// <summary>Writes vocab.txt, tokenizer_config.json and special_tokens_map.json.</summary>
    public void Save(string directory)
    {
        File.WriteAllLines(Path.Combine(directory, "vocab.txt"), vocabulary);
        var saved = (JsonObject)config.DeepClone();
        saved["do_lower_case"] = LowerCase;
        saved["tokenizer_class"] ??= "BertTokenizer";
        saved["cls_token"] = vocabulary[ClsId];
        saved["sep_token"] = vocabulary[SepId];
        saved["pad_token"] = vocabulary[PadId];
        saved["mask_token"] = vocabulary[MaskId];
        saved["unk_token"] ??= "[UNK]";
        saved["tokenize_chinese_chars"] ??= true;
        saved["clean_up_tokenization_spaces"] ??= true;
        if (ModelMaxLength is { } max) saved["model_max_length"] = max;
        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), saved.ToJsonString(indented));

        var special = new JsonObject
        {
            ["cls_token"] = vocabulary[ClsId],
            ["mask_token"] = vocabulary[MaskId],
            ["pad_token"] = vocabulary[PadId],
            ["sep_token"] = vocabulary[SepId],
            ["unk_token"] = saved["unk_token"]!.DeepClone(),
        };
        File.WriteAllText(Path.Combine(directory, "special_tokens_map.json"), special.ToJsonString(indented));
    }
}
