namespace Ashlar.Parser;

/// <summary>"Did you mean" hints: the closest candidate by edit distance, if it is close enough to be a typo.</summary>
internal static class Suggestions
{
    public static string? Closest(string value, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var lower = value.ToLowerInvariant();
        foreach (var candidate in candidates)
        {
            var distance = Distance(lower, candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
        // Same threshold idea as BuildKit's suggest package: a couple of edits, less for short words.
        var limit = Math.Max(1, Math.Min(2, value.Length / 3));
        return bestDistance > 0 && bestDistance <= limit ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
