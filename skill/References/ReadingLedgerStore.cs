using System.Collections.Concurrent;

namespace StTrain.Skill.References;

/// <summary>One <see cref="ReadingLedger"/> per client session, created on first use.</summary>
public sealed class ReadingLedgerStore
{
    private readonly ConcurrentDictionary<string, ReadingLedger> _ledgers = new(StringComparer.Ordinal);

    /// <summary>The ledger of a session (stdio has a single session per server process).</summary>
    public ReadingLedger For(string sessionKey) => _ledgers.GetOrAdd(sessionKey, _ => new ReadingLedger());
}
