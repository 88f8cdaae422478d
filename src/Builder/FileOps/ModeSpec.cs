using System.Globalization;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// A <c>--chmod</c> value: octal (<c>755</c>, <c>0644</c>: the permission bits of every copied file and directory
/// become exactly that) or symbolic like chmod(1) (<c>u+x,g-w,o=r</c>, <c>a+X</c>: applied to each entry's own mode;
/// <c>X</c> adds execute only to directories and to files that already have an execute bit). Symlinks are never changed.
/// </summary>
internal sealed class ModeSpec
{
    private readonly uint? _octal;
    private readonly List<Clause> _clauses = [];

    // Sticky follows BSD setmode (BuildKit's mode parser): set unless "o" alone was named.
    private readonly record struct Clause(uint Who, char Op, string Perms, bool Sticky);

    private ModeSpec(string text, uint? octal)
    {
        Text = text;
        _octal = octal;
    }

    /// <summary>The value as given.</summary>
    public string Text { get; }

    /// <summary>Parses a <c>--chmod</c> value; throws <see cref="FormatException"/> naming it and the problem.</summary>
    public static ModeSpec Parse(string text)
    {
        if (text.Length > 0 && text.All(c => c is >= '0' and <= '7'))
        {
            // BuildKit's check and words: at most 07777.
            if (text.TrimStart('0').Length > 4 || Convert.ToUInt32(text.TrimStart('0') is { Length: > 0 } digits ? digits : "0", 8) > 0xfff)
                throw new FormatException($"invalid chmod parameter: '{text}'. it should be octal string and between 0 and 07777");
            // Like BuildKit (Go's os.FileMode), only the permission bits take effect.
            return new ModeSpec(text, Convert.ToUInt32(text, 8) & 0x1ff);
        }
        var spec = new ModeSpec(text, null);
        foreach (var clause in text.Split(','))
        {
            var i = 0;
            uint who = 0;
            for (; i < clause.Length && clause[i] is 'u' or 'g' or 'o' or 'a'; i++)
                who |= clause[i] switch { 'u' => 0x9c0u, 'g' => 0x438u, 'o' => 0x207u, _ => 0xfffu };
            var sticky = who == 0 || (who & ~0x207u) != 0;
            if (who == 0) who = 0xfffu;
            if (i >= clause.Length) throw new FormatException($"--chmod={text}: \"{clause}\" has no operator (+, - or =)");
            while (i < clause.Length)
            {
                var op = clause[i];
                if (op is not ('+' or '-' or '='))
                    throw new FormatException($"--chmod={text}: unexpected \"{op}\" in \"{clause}\" (expected +, - or =)");
                var start = ++i;
                while (i < clause.Length && clause[i] is not ('+' or '-' or '=')) i++;
                var perms = clause[start..i];
                if (perms.Any(c => c is not ('r' or 'w' or 'x' or 'X' or 's' or 't' or 'u' or 'g' or 'o')))
                    throw new FormatException($"--chmod={text}: bad permission letters \"{perms}\" (expected r, w, x, X, s, t)");
                spec._clauses.Add(new Clause(who, op, perms, sticky));
            }
        }
        return spec;
    }

    /// <summary>The mode an entry gets: <paramref name="mode"/> is its source mode (12 bits).</summary>
    public uint Apply(uint mode, bool isDirectory)
    {
        if (_octal is { } octal) return octal;
        foreach (var clause in _clauses)
        {
            uint bits = 0;
            foreach (var c in clause.Perms)
                bits |= c switch
                {
                    'r' => 0x124u,
                    'w' => 0x92u,
                    'x' => 0x49u,
                    'X' => isDirectory || (mode & 0x49) != 0 ? 0x49u : 0,
                    's' => 0xc00u,
                    't' => 0,
                    // Copy another class's bits: "g=u".
                    'u' => ((mode >> 6) & 7) * 0x49u,
                    'g' => ((mode >> 3) & 7) * 0x49u,
                    _ => (mode & 7) * 0x49u,
                };
            bits &= clause.Who;
            if (clause.Sticky && clause.Perms.Contains('t')) bits |= 0x200u;
            mode = clause.Op switch
            {
                '+' => mode | bits,
                '-' => mode & ~bits,
                _ => (mode & ~(clause.Who & 0xfffu & ~0u)) | bits,
            };
        }
        return mode & 0xfff;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
