using Ashlar.Builder.Solving;

namespace Ashlar.Builder.Tests;

/// <summary>History text is compared byte for byte with BuildKit's, which Go's fmt verbs produce.</summary>
public sealed class GoFormatTests
{
    [Fact]
    public void A_slice_is_quoted_like_Gos_percent_q()
    {
        Assert.Equal("[\"/bin/sh\" \"-c\" \"echo \\\"hi\\\"\\tthere\"]", GoFormat.QuoteSlice(["/bin/sh", "-c", "echo \"hi\"\tthere"]));
        Assert.Equal("[]", GoFormat.QuoteSlice([]));
        Assert.Equal("\"é \\\\ \\u00a0 \\x01\"", GoFormat.Quote("é \\ \u00a0 \u0001"));
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1L, "1ns")]
    [InlineData(1_500L, "1.5µs")]
    [InlineData(100_000_000L, "100ms")]
    [InlineData(1_500_000_000L, "1.5s")]
    [InlineData(5_000_000_000L, "5s")]
    [InlineData(90_000_000_000L, "1m30s")]
    [InlineData(3_600_000_000_000L, "1h0m0s")]
    [InlineData(3_725_250_000_000L, "1h2m5.25s")]
    public void A_duration_reads_like_Gos_time_Duration(long nanoseconds, string expected) =>
        Assert.Equal(expected, GoFormat.Duration(nanoseconds));

    [Theory]
    [InlineData(0, "'\\x00'")]
    [InlineData(4, "'\\x04'")]
    [InlineData(10, "'\\n'")]
    [InlineData(39, "'\\''")]
    [InlineData(65, "'A'")]
    public void An_integer_is_quoted_as_a_rune(int value, string expected) =>
        Assert.Equal(expected, GoFormat.QuoteRune(value));
}
