using StTrain.Core.Runtime;
using StTrain.Core.Training.Spec;
using StTrain.Server;
using StTrain.Server.Commands;
using StTrain.Server.Mcp;

// ICU is on (the tokenizer needs Unicode normalisation), so pin the culture: numbers, dates and comparisons in
// logs, specs and files must not change with the user's LANG.
System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;

try
{
    // `serve` loads no TorchSharp in this process: smoke tests and training run in child processes.
    if (args.Length > 0 && args[0] == "serve")
    {
        return await ServeCommand.RunAsync(args[1..]);
    }

    TorchRuntime.Initialize();
    return await Cli.RunAsync(args);
}
catch (Exception error)
{
    return Cli.ReportUnexpected(args.FirstOrDefault() ?? "", error);
}

namespace StTrain.Server
{
    /// <summary>The st-train command line: one executable for people, scripts and (with `serve`) MCP clients.</summary>
    internal static class Cli
    {
        private const string Help = """
            st-train: train sentence-transformers models (SentenceTransformer, CrossEncoder, SparseEncoder) from C#.

            Usage: ./st-train <command> [options]

              quickstart [--run-name NAME] [--template NAME]
                                         the main job offline: WordNet data, default template, smoke test,
                                         training, VERDICT line
              serve                      MCP server over stdio (what mcp.json launches)
              train SPEC [--resume|--overwrite]
                                         run a spec: baseline, training, final model, VERDICT line
                                         (--resume: continue from the newest checkpoint in output_dir;
                                         --overwrite: train a finished run again, replacing its model)
              smoke SPEC                 the same run with max_steps=1 on tiny slices, no Hub push
              validate SPEC              check a spec without running it
              eval --model M --spec SPEC [--json] [--out FILE.json]
                                         evaluate a model with a spec's evaluators
              loss --model M --loss NAME [--param key=value]... --data FILE.jsonl
                                         the loss of a whole file as one batch (prints loss=<value> last)
              encode --model M --input FILE --output FILE.jsonl [--batch-size N] [--prompt-name NAME]
              data wordnet --out DIR     build WordNet training datasets
              mine-hard-negatives ...    mine hard negatives for a pairs file
              bench encode|train         print throughput figures
              test                       run the test suite (handled by the ./st-train script)
            """;

        public static async Task<int> RunAsync(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Console.WriteLine(Help);
                return args.Length == 0 ? 2 : 0;
            }

            string command = args[0];
            string[] rest = args[1..];
            if (rest.Any(a => a is "--help" or "-h") && Usages.TryGetValue(command, out string? usage))
            {
                Console.WriteLine($"Usage: ./st-train {usage}");
                return 0;
            }
            try
            {
                return command switch
                {
                    "encode" => EncodeCommand.Run(rest),
                    "train" => RunCommand.Run(rest, smoke: false),
                    "smoke" => RunCommand.Run(rest, smoke: true),
                    "validate" => RunCommand.Validate(rest),
                    "loss" => LossCommand.Run(rest),
                    "eval" => EvalCommand.Run(rest),
                    "data" => DataCommand.Run(rest),
                    "quickstart" => QuickstartCommand.Run(rest),
                    "bench" => Bench(rest),
                    "mine-hard-negatives" => MineHardNegativesCommand.Run(rest),
                    _ => Unknown(command),
                };
            }
            catch (UsageException error)
            {
                Console.Error.WriteLine($"st-train {command}: {error.Message}");
                return 2;
            }
            catch (SpecException error)
            {
                Console.Error.WriteLine($"st-train {command}: {error.Message}");
                return 2;
            }
            catch (StTrain.Skill.SkillException error)
            {
                // The skill's refusals (an unknown template, a bad run name) already say what to change.
                Console.Error.WriteLine($"st-train {command}: {error.Message}");
                return 2;
            }
            catch (Exception error) when (error is IOException or InvalidDataException or ArgumentException
                                              or StTrain.Core.Data.DataFileException
                                              or NotSupportedException or InvalidOperationException
                                              or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"st-train {command}: {error.Message}");
                return 1;
            }
            catch (Exception error)
            {
                return ReportUnexpected(command, error);
            }
            finally
            {
                await Task.CompletedTask;
            }
        }

        /// <summary>
        /// The last resort for an exception no command expected: one line with its type and message and a request
        /// to report it, exit code 1. The stack trace (and native frames) only with ST_TRAIN_DEBUG=1.
        /// </summary>
        public static int ReportUnexpected(string command, Exception error)
        {
            Console.Error.Write(UnexpectedMessage(command, error,
                debug: Environment.GetEnvironmentVariable("ST_TRAIN_DEBUG") == "1"));
            return 1;
        }

        /// <summary>What <see cref="ReportUnexpected"/> prints: one line, plus the exception in full when debugging.</summary>
        public static string UnexpectedMessage(string command, Exception error, bool debug)
        {
            string message = error.Message;
            int lineEnd = message.IndexOfAny(['\r', '\n']);
            if (lineEnd >= 0) message = message[..lineEnd].TrimEnd();
            string prefix = command.Length == 0 ? "st-train" : $"st-train {command}";
            string line = $"{prefix}: unexpected {error.GetType().Name}: {message.TrimEnd('.')}. st-train " +
                          "should have caught this with a clear message, so it is a bug in st-train: please " +
                          "report it with the command you ran" +
                          (debug ? "." : " (run again with ST_TRAIN_DEBUG=1 to see the stack trace).");
            return line + Environment.NewLine + (debug ? error + Environment.NewLine : "");
        }

        /// <summary>`--help` of the commands that have no usage text of their own.</summary>
        private static readonly Dictionary<string, string> Usages = new(StringComparer.Ordinal)
        {
            ["encode"] = EncodeCommand.Usage[("st-train ".Length)..],
            ["loss"] = LossCommand.Usage[("st-train ".Length)..],
            ["train"] = "train SPEC [--resume|--overwrite]\n  Runs a spec: baseline evaluation, training, final model, " +
                          "VERDICT line.\n  --resume     continue from the newest checkpoint in output_dir\n" +
                          "  --overwrite  train a run that already finished again, replacing its model and result",
            ["smoke"] = "smoke SPEC\n  Runs a spec with max_steps=1 on tiny slices and no Hub push.",
            ["validate"] = "validate SPEC\n  Checks a spec (fields, loss vs data, metric keys, model id) without running it.",
            ["eval"] = "eval --model ID_OR_PATH --spec SPEC [--json] [--out FILE.json]\n  Runs the spec's evaluators on a " +
                       "model; --out also writes the metrics as one JSON object.",
            ["quickstart"] = "quickstart [--run-name NAME] [--template NAME]\n  WordNet data, default template, smoke " +
                             "test and training, offline, ending with the VERDICT line.",
        };

        private static int Bench(string[] args) => args.FirstOrDefault() switch
        {
            "encode" => EncodeBenchmarkCommand.Run(args),
            "train" => BenchCommand.RunTrain(args[1..]),
            _ => throw new UsageException("say which benchmark: ./st-train bench encode|train [--model ID] " +
                                          "[--batch-size N] [--seq-len N]"),
        };

        private static int Unknown(string command)
        {
            Console.Error.WriteLine($"st-train: unknown command '{command}'. Run ./st-train --help for the list.");
            return 2;
        }
    }
}
