using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using Serilog;
using Serilog.Formatting.Display;
using StTrain.Server.Mcp.Tools;
using StTrain.Skill;

namespace StTrain.Server.Mcp;

/// <summary>
/// `st-train serve`: the MCP server over stdio. stdout carries JSON-RPC only; every log line goes to stderr and to
/// logs/st-train-serve-{date}.log in the workspace.
/// </summary>
public static class ServeCommand
{
    /// <summary>What the server tells a client when it connects.</summary>
    public const string Instructions =
        "st-train trains sentence-transformers models (SentenceTransformer, CrossEncoder, SparseEncoder) from YAML "
        + "run specs. Work in this order: identify_model_type(task) → read_reference for every required reference "
        + "(all pages; troubleshooting: headings) → scaffold_from_template → smoke_test → train → "
        + "report_verdict. "
        + "The server refuses to scaffold before the reading is done and refuses to train a spec that has not "
        + "passed a smoke test in its current form. The SKILL.md resource and the train_sentence_transformers prompt "
        + "hold the full workflow.";

    /// <summary>Runs the server until the client disconnects; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ServeOptions options;
        SkillPaths paths;
        try
        {
            options = ServeOptions.Parse(args);
            paths = SkillPaths.Discover(options.Workspace);
        }
        catch (Exception error) when (error is ArgumentException or SkillException)
        {
            await Console.Error.WriteLineAsync($"st-train serve: {error.Message}");
            return 2;
        }

        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Sink(new StandardErrorSink(
                new MessageTemplateTextFormatter("[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")))
            .WriteTo.File(Path.Combine(paths.WorkspaceRoot, "logs", "st-train-serve-.log"),
                rollingInterval: RollingInterval.Day,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {SourceContext}: {Message:lj}"
                                + "{NewLine}{Exception}")
            .CreateLogger();

        try
        {
            Log.Information("st-train serve: content {Content}, workspace {Workspace}",
                paths.ContentRoot, paths.WorkspaceRoot);
            // Lines that are not JSON get a JSON-RPC parse error instead of silence; stdout gets whole lines only.
            using var loggers = new Serilog.Extensions.Logging.SerilogLoggerFactory(Log.Logger);
            var stdio = new JsonRpcLineGuard(Console.OpenStandardInput(), Console.OpenStandardOutput(),
                loggers.CreateLogger("StTrain.Server.Mcp.Stdio"));
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                Args = [],
                ContentRootPath = paths.WorkspaceRoot,
            });

            // The default console logger writes to stdout, which belongs to JSON-RPC.
            builder.Logging.ClearProviders();
            builder.Services.AddSerilog();
            builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);

            builder.Services.AddSingleton(paths);
            builder.Services.AddSingleton<SkillServices>();
            builder.Services.AddSingleton<SmokeTestRunner>();
            builder.Services.AddSingleton<TrainingSupervisor>();
            builder.Services
                .AddMcpServer(server =>
                {
                    server.ServerInfo = new Implementation { Name = "st-train", Version = "0.1.0" };
                    server.ServerInstructions = Instructions;
                })
                .WithStreamServerTransport(stdio.Input, stdio.Output)
                .WithRequestFilters(filters => filters.AddCallToolFilter(ToolErrorFilter.Wrap))
                .WithTools<SkillTools>(ToolResults.Json)
                .WithTools<RunTools>(ToolResults.Json)
                .WithTools<DataTools>(ToolResults.Json)
                .WithTools<EvaluationTools>(ToolResults.Json)
                .WithResources<SkillResources>()
                .WithPrompts<SkillPrompts>(ToolResults.Json);

            await builder.Build().RunAsync();
            return 0;
        }
        catch (Exception error)
        {
            Log.Fatal(error, "st-train serve stopped on an unexpected error");
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
