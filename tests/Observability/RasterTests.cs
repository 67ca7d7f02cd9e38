using StTrain.Core.Training.Observability;
using Xunit;

namespace StTrain.Tests.Observability;

public sealed class RasterTests
{
    [Fact]
    public void Png_round_trips_arbitrary_pixels_and_uses_the_standard_crc32()
    {
        // The CRC-32 check value: the CRC of the ASCII digits "123456789" is 0xCBF43926.
        Assert.Equal(0xCBF43926u, PngTestDecoder.Crc32("123456789"u8));
        var rng = new Random(9);
        foreach (var (w, h) in new[] { (1, 1), (7, 5), (33, 2), (300, 200) })
        {
            byte[] pixels = new byte[w * h * 3];
            rng.NextBytes(pixels);
            var image = PngTestDecoder.Decode(PngEncoder.Encode(w, h, pixels));
            Assert.Equal(w, image.Width);
            Assert.Equal(h, image.Height);
            Assert.Equal(pixels, image.Rgb);
        }
    }

    [Fact]
    public void Png_encoder_rejects_a_buffer_of_the_wrong_size()
    {
        var error = Assert.Throws<ArgumentException>(() => PngEncoder.Encode(4, 4, new byte[47]));
        Assert.Contains("48", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.Encode(0, 4, []));
    }

    [Fact]
    public void Font_covers_digits_letters_and_the_chart_punctuation_with_ink()
    {
        const string required = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_@:=/%";
        foreach (char c in required)
        {
            Assert.True(BitmapFont.HasGlyph(c), $"no glyph for '{c}'");
            Assert.Contains(BitmapFont.Glyph(c), row => row != 0);
        }
        Assert.False(BitmapFont.HasGlyph('~'));
        Assert.Contains(BitmapFont.Glyph('~'), row => row != 0); // drawn as a box, not dropped

        // Glyphs that should differ do: no two characters share a bitmap.
        var seen = new Dictionary<string, char>();
        foreach (char c in BitmapFont.Characters)
        {
            string key = string.Join(",", BitmapFont.Glyph(c));
            Assert.False(seen.TryGetValue(key, out char other), $"'{c}' and '{other}' look identical");
            seen[key] = c;
        }
    }

    [Fact]
    public void Text_draws_exactly_the_glyph_bits_and_measures_its_width()
    {
        var canvas = new RasterCanvas(40, 20, Rgb.White);
        canvas.DrawText(2, 3, "7", Rgb.Black);
        ushort[] rows = BitmapFont.Glyph('7');
        for (int y = 0; y < BitmapFont.GlyphHeight; y++)
            for (int x = 0; x < BitmapFont.GlyphWidth; x++)
            {
                bool ink = (rows[y] >> (BitmapFont.GlyphWidth - 1 - x) & 1) == 1;
                Assert.Equal(ink ? Rgb.Black : Rgb.White, canvas.GetPixel(2 + x, 3 + y));
            }
        Assert.Equal(5, RasterCanvas.MeasureText("7"));
        Assert.Equal(17, RasterCanvas.MeasureText("abc"));
        Assert.Equal(34, RasterCanvas.MeasureText("abc", 2));
        Assert.Equal(0, RasterCanvas.MeasureText(""));
    }

    [Fact]
    public void Lines_cover_the_pixels_on_the_segment_and_respect_the_clip()
    {
        var canvas = new RasterCanvas(50, 50, Rgb.White);
        var red = new Rgb(255, 0, 0);
        canvas.DrawLine(5, 10.5, 45, 10.5, red, 2);
        for (int x = 6; x < 44; x++)
        {
            Assert.Equal(red, canvas.GetPixel(x, 10)); // centre row fully covered
            Assert.Equal(Rgb.White, canvas.GetPixel(x, 14)); // far from the line
        }
        canvas.DrawLine(0, 30.5, 50, 30.5, red, 2, clip: (10, 0, 10, 50));
        Assert.Equal(red, canvas.GetPixel(15, 30));
        Assert.Equal(Rgb.White, canvas.GetPixel(5, 30));
        Assert.Equal(Rgb.White, canvas.GetPixel(25, 30));
        // Non-finite coordinates draw nothing instead of throwing.
        canvas.DrawLine(double.NaN, 0, 10, double.PositiveInfinity, red, 2);
        canvas.FillCircle(40, 40, 3, red);
        Assert.Equal(red, canvas.GetPixel(40, 40));
        Assert.Equal(Rgb.White, canvas.GetPixel(40, 45));
    }
}
