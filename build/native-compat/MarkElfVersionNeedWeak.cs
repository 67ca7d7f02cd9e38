using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// Sets VER_FLG_WEAK on one version requirement (a Vernaux entry of .gnu.version_r) of a 64-bit little-endian ELF
// file, so the dynamic loader no longer refuses the library when that version node is missing. Idempotent.
public class MarkElfVersionNeedWeak : Task
{
    [Required] public string File { get; set; } = "";
    [Required] public string Version { get; set; } = "";
    [Output] public bool Patched { get; set; }

    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    public override bool Execute()
    {
        byte[] elf = System.IO.File.ReadAllBytes(File);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1)
        {
            Log.LogError($"{File} is not a 64-bit little-endian ELF file.");
            return false;
        }

        long sectionTable = BitConverter.ToInt64(elf, 0x28);
        int entrySize = BitConverter.ToUInt16(elf, 0x3A);
        int count = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < count; i++)
        {
            long header = sectionTable + (long)i * entrySize;
            if (BitConverter.ToUInt32(elf, (int)header + 4) != ShtGnuVerneed) continue;

            long offset = BitConverter.ToInt64(elf, (int)header + 24);
            int link = (int)BitConverter.ToUInt32(elf, (int)header + 40);
            int needCount = (int)BitConverter.ToUInt32(elf, (int)header + 44);
            long strings = BitConverter.ToInt64(elf, (int)(sectionTable + (long)link * entrySize) + 24);

            long need = offset;
            for (int n = 0; n < needCount; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    long name = strings + BitConverter.ToUInt32(elf, (int)aux + 8);
                    int end = Array.IndexOf(elf, (byte)0, (int)name);
                    if (Encoding.ASCII.GetString(elf, (int)name, end - (int)name) == Version)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlagWeak) == 0)
                        {
                            BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(elf, (int)aux + 4);
                            string temp = File + ".patching";
                            System.IO.File.WriteAllBytes(temp, elf);
                            System.IO.File.Copy(temp, File, true);
                            System.IO.File.Delete(temp);
                            Patched = true;
                            Log.LogMessage(MessageImportance.Normal, $"Marked {Version} weak in {File}.");
                        }
                        return true;
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        return true;
    }
}
