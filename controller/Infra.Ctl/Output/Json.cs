using Google.Protobuf;

namespace Infra.Ctl.Output;

/// <summary>
/// --output json prints the response exactly as protobuf JSON (lowerCamelCase field names, enums by their
/// proto names, 64-bit integers as strings, default values omitted), one object per line: stable for jq.
/// </summary>
public static class Json
{
    static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    public static string Format(IMessage message) => Formatter.Format(message);
}
