using System.Security.Cryptography;

namespace StTrain.Skill.Runs;

/// <summary>The identity of a spec version: SHA-256 of the file's bytes, lower-case hex.</summary>
public static class SpecHash
{
    /// <summary>Hashes the file; <see cref="SkillException"/> when it does not exist.</summary>
    public static string Compute(string path)
    {
        if (!File.Exists(path))
        {
            throw new SkillException($"No spec at {path}. Scaffold the run first with scaffold_from_template.");
        }

        return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
    }
}
