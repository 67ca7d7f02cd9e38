namespace StTrain.Core.Training.Observability;

/// <summary>
/// A small RGB raster (row-major, 3 bytes per pixel, origin top-left) with anti-aliased lines and discs, filled
/// rectangles and bitmap text. Pixel (x, y) covers [x, x+1) x [y, y+1); shapes take real-valued coordinates.
/// </summary>
public sealed class RasterCanvas
{
    public RasterCanvas(int width, int height, Rgb background)
    {
        if (width <= 0 || height <= 0 || (long)width * height > 64L * 1024 * 1024)
            throw new ArgumentOutOfRangeException(nameof(width),
                $"canvas size {width}x{height} must be positive and at most 64 megapixels");
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 3];
        FillRect(0, 0, width, height, background);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>RGB bytes, row after row from the top.</summary>
    public byte[] Pixels { get; }

    public Rgb GetPixel(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return new Rgb(Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    public void SetPixel(int x, int y, Rgb color)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) return;
        int i = (y * Width + x) * 3;
        Pixels[i] = color.R;
        Pixels[i + 1] = color.G;
        Pixels[i + 2] = color.B;
    }

    /// <summary>Alpha-blends <paramref name="color"/> over a pixel: out = (1 - a) * old + a * color.</summary>
    public void Blend(int x, int y, Rgb color, double alpha)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height || !(alpha > 0)) return;
        if (alpha >= 1)
        {
            SetPixel(x, y, color);
            return;
        }
        SetPixel(x, y, GetPixel(x, y).Mix(color, alpha));
    }

    public void FillRect(int x, int y, int width, int height, Rgb color)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y);
        int x1 = Math.Min(Width, x + width), y1 = Math.Min(Height, y + height);
        for (int py = y0; py < y1; py++)
            for (int px = x0; px < x1; px++)
                SetPixel(px, py, color);
    }

    /// <summary>
    /// Draws a segment <paramref name="width"/> pixels wide with round caps. Each pixel's coverage comes from the
    /// distance d of its centre to the segment: coverage = clamp(width / 2 + 0.5 - d, 0, 1). Only pixels inside
    /// <paramref name="clip"/> (x, y, width, height) are touched when it is given.
    /// </summary>
    public void DrawLine(double x0, double y0, double x1, double y1, Rgb color, double width = 1,
        (int X, int Y, int Width, int Height)? clip = null)
    {
        if (!double.IsFinite(x0) || !double.IsFinite(y0) || !double.IsFinite(x1) || !double.IsFinite(y1)) return;
        double half = Math.Max(width, 0.5) / 2;
        var (cx0, cy0, cx1, cy1) = ClipBounds(clip);
        int minX = Math.Max(cx0, (int)Math.Floor(Math.Min(x0, x1) - half - 1));
        int maxX = Math.Min(cx1 - 1, (int)Math.Ceiling(Math.Max(x0, x1) + half + 1));
        int minY = Math.Max(cy0, (int)Math.Floor(Math.Min(y0, y1) - half - 1));
        int maxY = Math.Min(cy1 - 1, (int)Math.Ceiling(Math.Max(y0, y1) + half + 1));
        double dx = x1 - x0, dy = y1 - y0, lengthSquared = dx * dx + dy * dy;
        for (int py = minY; py <= maxY; py++)
        {
            for (int px = minX; px <= maxX; px++)
            {
                double qx = px + 0.5, qy = py + 0.5;
                // Project onto the segment: t = clamp(((q - p0) . (p1 - p0)) / |p1 - p0|^2, 0, 1).
                double t = lengthSquared == 0 ? 0 : Math.Clamp(((qx - x0) * dx + (qy - y0) * dy) / lengthSquared, 0, 1);
                double ex = qx - (x0 + t * dx), ey = qy - (y0 + t * dy);
                double coverage = half + 0.5 - Math.Sqrt(ex * ex + ey * ey);
                Blend(px, py, color, Math.Min(coverage, 1));
            }
        }
    }

    /// <summary>A dashed segment: <paramref name="dash"/> pixels drawn, <paramref name="gap"/> skipped.</summary>
    public void DrawDashedLine(double x0, double y0, double x1, double y1, Rgb color, double width, double dash,
        double gap, (int X, int Y, int Width, int Height)? clip = null)
    {
        double length = Math.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
        if (!(length > 0) || !(dash > 0) || gap < 0) return;
        double ux = (x1 - x0) / length, uy = (y1 - y0) / length;
        for (double s = 0; s < length; s += dash + gap)
        {
            double e = Math.Min(length, s + dash);
            DrawLine(x0 + ux * s, y0 + uy * s, x0 + ux * e, y0 + uy * e, color, width, clip);
        }
    }

    /// <summary>An anti-aliased filled disc; coverage = clamp(radius + 0.5 - distance to the centre, 0, 1).</summary>
    public void FillCircle(double cx, double cy, double radius, Rgb color,
        (int X, int Y, int Width, int Height)? clip = null) => DrawLine(cx, cy, cx, cy, color, radius * 2, clip);

    /// <summary>Draws text with its cell's top-left corner at (x, y), each font pixel a scale x scale block.</summary>
    public void DrawText(int x, int y, string text, Rgb color, int scale = 1)
    {
        scale = Math.Max(1, scale);
        int penX = x;
        foreach (char c in text)
        {
            ushort[] rows = BitmapFont.Glyph(c);
            for (int row = 0; row < rows.Length; row++)
            {
                for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                {
                    if ((rows[row] & (1 << (BitmapFont.GlyphWidth - 1 - col))) == 0) continue;
                    FillRect(penX + col * scale, y + row * scale, scale, scale, color);
                }
            }
            penX += BitmapFont.Advance * scale;
        }
    }

    /// <summary>Width in pixels of <paramref name="text"/> as <see cref="DrawText"/> draws it (no trailing gap).
    /// </summary>
    public static int MeasureText(string text, int scale = 1) =>
        text.Length == 0 ? 0 : (text.Length * BitmapFont.Advance - (BitmapFont.Advance - BitmapFont.GlyphWidth))
                               * Math.Max(1, scale);

    private (int X0, int Y0, int X1, int Y1) ClipBounds((int X, int Y, int Width, int Height)? clip)
    {
        if (clip is not { } c) return (0, 0, Width, Height);
        return (Math.Max(0, c.X), Math.Max(0, c.Y), Math.Min(Width, c.X + c.Width), Math.Min(Height, c.Y + c.Height));
    }
}
