using StTrain.Core.Models;
using StTrain.Core.Models.Bert;
using StTrain.Core.Models.IO;
using StTrain.Core.Models.Tokenization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Transformer = StTrain.Core.Models.Modules.Transformer;

namespace StTrain.Core.Losses;

/// <summary>
/// TSDAE (Wang et al. 2021): the model embeds a damaged sentence, and a decoder must reconstruct the original
/// sentence from that one embedding. loss = mean over non-padding target tokens t >= 1 of
/// -log p(x_t | x_&lt;t, e), where e is the sentence embedding of the damaged text and the decoder (see
/// <see cref="TsdaeDecoder"/>) attends causally to x_&lt;t and, through cross-attention, to e as a one-token memory.
/// </summary>
/// <remarks>
/// Data: (damaged, original) rows, e.g. from <see cref="DenoisingAutoEncoderPairs"/> (deletion noise, ratio 0.6).
/// With tie_encoder_decoder (the default) the decoder shares every BERT weight of the encoder (embeddings,
/// self-attention, feed-forward, LayerNorms) and its output projection is the word-embedding matrix, as
/// sentence-transformers ties them; only the cross-attention blocks and the LM-head transform and bias are the
/// decoder's own. The head is read from the encoder's checkpoint (cls.predictions.*) when it has one, else
/// initialised fresh. With tie_encoder_decoder false, decoder_name_or_path names a BERT model whose weights the
/// decoder trains separately; if its tokenizer differs, targets are decoded and re-tokenized for it.
/// What is saved: as in sentence-transformers, only the encoder (the trained model) is saved as the run's model; the
/// decoder's own weights are parameters of the loss, so they are in the trainer's resumable training state
/// (checkpoints) but not in the output model folder.
/// </remarks>
public sealed class DenoisingAutoEncoderLoss : SentenceLoss
{
    private readonly TsdaeDecoder? decoder;
#pragma warning disable IDE1006 // The separate decoder BERT of tie_encoder_decoder: false, registered to be trained.
    private readonly BertModel? decoder_bert;
#pragma warning restore IDE1006
    private readonly WordPieceTokenizer? decoderTokenizer;

    public DenoisingAutoEncoderLoss(
        SentenceTransformer? model, string? decoderNameOrPath = null, bool tieEncoderDecoder = true)
        : base(nameof(DenoisingAutoEncoderLoss), model)
    {
        if (tieEncoderDecoder && decoderNameOrPath is not null)
        {
            throw new ArgumentException("DenoisingAutoEncoderLoss: decoder_name_or_path is unused when " +
                                        "tie_encoder_decoder is true (the decoder is the encoder). Fix: remove " +
                                        "decoder_name_or_path, or set tie_encoder_decoder: false.");
        }

        if (!tieEncoderDecoder && decoderNameOrPath is null)
        {
            throw new ArgumentException("DenoisingAutoEncoderLoss: tie_encoder_decoder is false but no " +
                                        "decoder_name_or_path is given. Fix: name the decoder's BERT model, or " +
                                        "leave tie_encoder_decoder at true.");
        }

        TieEncoderDecoder = tieEncoderDecoder;
        DecoderNameOrPath = decoderNameOrPath ?? model?.Source;
        if (model is null) return;

        BertModel encoder = model.Transformer.Encoder;
        if (model.EmbeddingDimension != encoder.Config.HiddenSize)
        {
            throw new ArgumentException($"DenoisingAutoEncoderLoss: the sentence embedding has " +
                                        $"{model.EmbeddingDimension} dimensions but the decoder's hidden size is " +
                                        $"{encoder.Config.HiddenSize}. Fix: use a model whose pooled embedding has " +
                                        "the transformer's width (no Dense projection, a single pooling mode).");
        }

        string? checkpointFolder = null;
        BertConfig config;
        IReadOnlyDictionary<string, Parameter> weights;
        if (tieEncoderDecoder)
        {
            config = encoder.Config;
            weights = encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            decoderTokenizer = model.Transformer.Tokenizer;
            checkpointFolder = model.Source is null ? null : TryResolve(model.Source);
        }
        else
        {
            checkpointFolder = ModelResolver.Resolve(decoderNameOrPath!);
            Transformer loaded = Transformer.Load(checkpointFolder);
            decoder_bert = loaded.Encoder;
            decoder_bert.to(model.Device);
            config = decoder_bert.Config;
            if (config.HiddenSize != encoder.Config.HiddenSize)
            {
                throw new ArgumentException($"DenoisingAutoEncoderLoss: decoder {decoderNameOrPath} has hidden " +
                                            $"size {config.HiddenSize} but the encoder {encoder.Config.HiddenSize}. " +
                                            "Fix: pick a decoder of the same width.");
            }

            weights = decoder_bert.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            decoderTokenizer = loaded.Tokenizer;
            register_module("decoder_bert", decoder_bert);
        }

        var mine = model.Transformer.Tokenizer;
        const string probe = "The quick brown fox jumps over the lazy dog; 1234 naïve café embeddings!";
        NeedRetokenization = mine.VocabSize != decoderTokenizer.VocabSize ||
                             mine.LowerCase != decoderTokenizer.LowerCase ||
                             !mine.TokenIds(probe).SequenceEqual(decoderTokenizer.TokenIds(probe));
        decoder = new TsdaeDecoder(config, weights, model.Device);
        register_module("decoder", decoder);
        if (checkpointFolder is not null && File.Exists(Path.Combine(checkpointFolder, "model.safetensors")))
        {
            var checkpoint = SafeTensorsFile.Load(Path.Combine(checkpointFolder, "model.safetensors"));
            HeadFromCheckpoint = decoder.TryLoadHead(checkpoint);
            foreach (Tensor t in checkpoint.Values) t.Dispose();
        }
    }

    public bool TieEncoderDecoder { get; }

    /// <summary>The decoder's source: the encoder's own id when tied.</summary>
    public string? DecoderNameOrPath { get; }

    /// <summary>True when the decoder's tokenizer differs from the model's, so targets are re-tokenized.</summary>
    public bool NeedRetokenization { get; }

    /// <summary>True when the LM-head transform and bias came from a checkpoint, not fresh initialisation.</summary>
    public bool HeadFromCheckpoint { get; }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["decoder_name_or_path"] = DecoderNameOrPath,
        ["tie_encoder_decoder"] = TieEncoderDecoder,
        ["need_retokenization"] = NeedRetokenization,
    };

    public override Tensor Compute(IReadOnlyList<Features> inputs, Tensor? labels)
    {
        RequireColumns(inputs.Count, 2, 2, "damaged text, original text");
        TsdaeDecoder net = decoder ?? throw new InvalidOperationException(
            "DenoisingAutoEncoderLoss was created without a model. Fix: create it through LossRegistry.");
        net.train(Model.training);
        using var scope = NewDisposeScope();
        Tensor embedding = Model.forward(inputs[0])[Features.SentenceEmbedding];
        Tensor targets = NeedRetokenization ? Retokenize(inputs[1]) : inputs[1][Features.InputIds];
        return ComputeFromEmbeddings(embedding, targets).MoveToOuterDisposeScope();
    }

    /// <summary>The reconstruction loss of target ids [B, T] (padded with the pad id) from embeddings [B, H].</summary>
    public Tensor ComputeFromEmbeddings(Tensor embeddings, Tensor targetIds)
    {
        TsdaeDecoder net = decoder ?? throw new InvalidOperationException(
            "DenoisingAutoEncoderLoss was created without a model. Fix: create it through LossRegistry.");
        using var scope = NewDisposeScope();
        long length = targetIds.shape[1];
        if (length < 2)
        {
            throw new ArgumentException("DenoisingAutoEncoderLoss: the original texts tokenize to fewer than 2 " +
                                        "tokens, so there is nothing to predict. Fix: drop empty rows.");
        }

        Tensor logits = net.forward(targetIds.narrow(1, 0, length - 1), embeddings);
        Tensor expected = targetIds.narrow(1, 1, length - 1);
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), expected.reshape(-1),
            ignore_index: decoderTokenizer!.PadId).MoveToOuterDisposeScope();
    }

    private Tensor Retokenize(Features column)
    {
        List<string> texts = TokenizedTexts.Decode(Model, column);
        int maxLength = decoder_bert?.Config.MaxPositionEmbeddings ?? Model.MaxSeqLength;
        return decoderTokenizer!.Encode(texts, maxLength)[Features.InputIds].to(Model.Device);
    }

    /// <summary>The model's folder when its id resolves to one (a run's base model); null otherwise.</summary>
    private static string? TryResolve(string source)
    {
        try
        {
            return ModelResolver.Resolve(source);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or ArgumentException
                                      or InvalidOperationException)
        {
            // No folder to read a masked-LM head from: the head starts fresh, as for a checkpoint without one.
            return null;
        }
    }
}
