using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using static TorchSharp.torch;

namespace StTrain.Core.Models.Tokenization;

/// <summary>
/// The BERT WordPiece tokenizer of a model folder (vocab.txt + tokenizer_config.json, or the vocabulary inside
/// tokenizer.json), producing padded [CLS] … [SEP] batches the way Hugging Face's BertTokenizer does.
/// </summary>
public sealed class WordPieceTokenizer
{
    private readonly BertTokenizer tokenizer;
    private readonly string[] vocabulary;
    private readonly JsonObject config;

    public int ClsId { get; }
    public int SepId { get; }
    public int PadId { get; }
    public int MaskId { get; }
    public int VocabSize => vocabulary.Length;
    public bool LowerCase { get; }

    /// <summary>model_max_length of tokenizer_config.json, when it gives a sensible one.</summary>
    public int? ModelMaxLength { get; }

    private WordPieceTokenizer(string[] vocabulary, JsonObject config)
    {
        this.vocabulary = vocabulary;
        this.config = config;
        LowerCase = config["do_lower_case"]?.GetValue<bool>() ?? true;
        bool? stripAccents = config["strip_accents"] is JsonValue s && s.TryGetValue(out bool b) ? b : null;

        string Token(string key, string fallback) => config[key] switch
        {
            JsonValue v when v.TryGetValue(out string? text) => text,
            JsonObject o when o["content"] is JsonValue c => c.GetValue<string>(),
            _ => fallback,
        };
        string cls = Token("cls_token", "[CLS]"), sep = Token("sep_token", "[SEP]"), pad = Token("pad_token", "[PAD]");
        string unk = Token("unk_token", "[UNK]"), mask = Token("mask_token", "[MASK]");

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Length; i++) index.TryAdd(vocabulary[i], i);
        int Id(string token) => index.TryGetValue(token, out int id)
            ? id
            : throw new InvalidDataException($"The vocabulary has no special token '{token}'.");
        ClsId = Id(cls);
        SepId = Id(sep);
        PadId = Id(pad);
        MaskId = index.GetValueOrDefault(mask, Id(unk));

        if (config["model_max_length"] is JsonValue m && m.TryGetValue(out double max) && max is > 0 and < 1_000_000)
            ModelMaxLength = (int)max;

        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', vocabulary) + "\n"));
        tokenizer = BertTokenizer.Create(stream, new BertOptions
        {
            LowerCaseBeforeTokenization = LowerCase,
            RemoveNonSpacingMarks = stripAccents ?? LowerCase,
            IndividuallyTokenizeCjk = config["tokenize_chinese_chars"]?.GetValue<bool>() ?? true,
            ApplyBasicTokenization = true,
            UnknownToken = unk,
            ClassificationToken = cls,
            SeparatorToken = sep,
            PaddingToken = pad,
            MaskingToken = mask,
        });
    }

    /// <summary>A tokenizer over an in-memory vocabulary (special tokens [PAD] [UNK] [CLS] [SEP] [MASK] required).</summary>
    public static WordPieceTokenizer FromVocabulary(IReadOnlyList<string> vocabulary, bool lowerCase = true) =>
        new(vocabulary.ToArray(), new JsonObject { ["do_lower_case"] = lowerCase });

    /// <summary>Loads the tokenizer files of a model folder.</summary>
    public static WordPieceTokenizer Load(string directory)
    {
        string configPath = Path.Combine(directory, "tokenizer_config.json");
        var config = File.Exists(configPath)
            ? JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject ?? new JsonObject()
            : new JsonObject();

        string vocabPath = Path.Combine(directory, "vocab.txt");
        string jsonPath = Path.Combine(directory, "tokenizer.json");
        string[] vocabulary;
        if (File.Exists(vocabPath))
        {
            vocabulary = File.ReadAllLines(vocabPath);
            if (vocabulary.Length > 0 && vocabulary[^1].Length == 0) vocabulary = vocabulary[..^1];
        }
        else if (File.Exists(jsonPath))
        {
            vocabulary = ReadVocabularyFromTokenizerJson(jsonPath, config);
        }
        else
        {
            throw new FileNotFoundException(
                $"{directory} has neither vocab.txt nor tokenizer.json; a BERT WordPiece tokenizer needs one of them.");
        }
        return new WordPieceTokenizer(vocabulary, config);
    }

    private static string[] ReadVocabularyFromTokenizerJson(string path, JsonObject config)
    {
        var json = JsonNode.Parse(File.ReadAllText(path));
        var model = json?["model"];
        if (model?["type"]?.GetValue<string>() != "WordPiece" || model["vocab"] is not JsonObject vocab)
            throw new NotSupportedException(
                $"{path}: only WordPiece tokenizers (BERT family) are supported; this one is " +
                $"'{model?["type"]?.GetValue<string>() ?? "unknown"}'.");
        if (json?["normalizer"]?["lowercase"] is JsonValue lower && !config.ContainsKey("do_lower_case"))
            config["do_lower_case"] = lower.GetValue<bool>();
        var ordered = new string[vocab.Count];
        foreach (var (token, id) in vocab) ordered[id!.GetValue<int>()] = token;
        return ordered;
    }

    /// <summary>WordPiece ids of <paramref name="text"/> without special tokens.</summary>
    public IReadOnlyList<int> TokenIds(string text) =>
        tokenizer.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);

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
    /// [CLS] a [SEP] b [SEP] per pair with token_type_ids 0/1, truncating the longer side first until the pair fits.
    /// </summary>
    public Features EncodePairs(IReadOnlyList<(string First, string Second)> pairs, int maxLength)
    {
        var rows = pairs.Select(pair =>
        {
            var a = TokenIds(pair.First).ToList();
            var b = TokenIds(pair.Second).ToList();
            int budget = Math.Max(0, maxLength - 3);
            while (a.Count + b.Count > budget)
            {
                if (a.Count > b.Count) a.RemoveAt(a.Count - 1);
                else b.RemoveAt(b.Count - 1);
            }
            var row = new List<int>(a.Count + b.Count + 3) { ClsId };
            row.AddRange(a);
            row.Add(SepId);
            row.AddRange(b);
            row.Add(SepId);
            var types = Enumerable.Repeat(0, a.Count + 2).Concat(Enumerable.Repeat(1, b.Count + 1)).ToArray();
            return (row.ToArray(), types: (int[]?)types);
        }).ToList();
        return Pad(rows);
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
