namespace StTrain.Core.Models.Import;

/// <summary>
/// Publishes a fully written directory under its final name with renames only, so readers see either no folder or
/// a complete one, and concurrent writers (threads or processes) never corrupt each other's output.
/// </summary>
public static class AtomicDirectory
{
    /// <summary>
    /// Moves <paramref name="staged"/> to <paramref name="final"/>. When <paramref name="final"/> already exists and
    /// <paramref name="isCurrent"/> accepts it, it is kept and false is returned (the caller deletes its staged copy);
    /// a stale one is moved aside and replaced. Returns true when the staged directory became <paramref name="final"/>.
    /// </summary>
    public static bool Publish(string staged, string final, Func<string, bool> isCurrent)
    {
        if (!Directory.Exists(final))
        {
            try
            {
                Directory.Move(staged, final);
                return true;
            }
            catch (IOException) when (Directory.Exists(final))
            {
                // Another writer published first; keep theirs if it is current.
            }
        }
        if (isCurrent(final)) return false;

        string aside = $"{final}.old-{Guid.NewGuid():N}";
        try
        {
            Directory.Move(final, aside);
        }
        catch (IOException) when (!Directory.Exists(final))
        {
            // Another writer moved the stale copy away already.
        }
        bool published;
        try
        {
            Directory.Move(staged, final);
            published = true;
        }
        catch (IOException) when (Directory.Exists(final) && isCurrent(final))
        {
            published = false; // a concurrent writer put an equally current copy in place first
        }
        if (Directory.Exists(aside)) Directory.Delete(aside, recursive: true);
        return published;
    }
}
