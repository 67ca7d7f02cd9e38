using StTrain.Core.Models;
using StTrain.Core.Models.Bert;
using StTrain.Core.Models.Tokenization;
using static TorchSharp.torch;

namespace StTrain.Tests.Support;

/// <summary>Small randomly initialised BERT models for fast tests of model plumbing and trainer semantics.</summary>
public static class TinyModels
{
    public static readonly string[] Words =
    [
        "the", "a", "dog", "cat", "animal", "pet", "car", "vehicle", "road", "tree", "plant", "leaf", "water", "river",
        "sea", "fish", "bird", "sky", "fly", "run", "walk", "fast", "slow", "big", "small", "red", "green", "blue",
        "house", "home", "door", "window", "book", "read", "word", "text", "sound", "music", "song", "food", "eat",
        "bread", "apple", "fruit", "king", "queen", "man", "woman", "child", "school", "learn", "teach", "city", "town",
        "##s", "##ing", "##ed", "of", "and", "is", "in", "to", "with",
    ];

    public static WordPieceTokenizer Tokenizer() =>
        WordPieceTokenizer.FromVocabulary(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Words, ".", ","]);

    public static BertConfig Config(int layers = 2, int hidden = 32) => new()
    {
        VocabSize = Words.Length + 7,
        HiddenSize = hidden,
        NumHiddenLayers = layers,
        NumAttentionHeads = 4,
        IntermediateSize = hidden * 2,
        MaxPositionEmbeddings = 64,
        HasPooler = true,
    };

    public static SentenceTransformer Create(int seed = 7, string pooling = "mean", bool normalize = false)
    {
        manual_seed(seed);
        return SentenceTransformer.CreateFromScratch(Config(), Tokenizer(), pooling, normalize, maxSeqLength: 32);
    }
}
