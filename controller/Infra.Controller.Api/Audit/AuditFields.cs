using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Infra.Controller.Api.Audit;

/// <summary>
/// The object ids an audit record names, read from the call's messages by field name: string fields
/// called "id" or "*_id" and repeated strings called "*_ids", in nested messages too (meta.id, a
/// port's network_id). request_id is an idempotency key, not an object, and is skipped. Bounded, so a
/// rejected request full of junk cannot make a huge record.
/// </summary>
public static class AuditFields
{
    public const int MaxIds = 32;
    public const int MaxIdLength = 128;
    const int MaxDepth = 4;

    /// <summary>Ids in the request first, then the response's new ones, each once.</summary>
    public static List<string> ObjectIds(params IMessage?[] messages)
    {
        var ids = new List<string>();
        foreach (var m in messages)
            if (m is not null) Collect(m, ids, 0);
        return ids;
    }

    static void Collect(IMessage message, List<string> ids, int depth)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (ids.Count >= MaxIds) return;
            if (field.IsMap) continue;
            var value = field.Accessor.GetValue(message);
            if (field.FieldType == FieldType.String)
            {
                if (field.IsRepeated ? field.Name.EndsWith("_ids", StringComparison.Ordinal) : IsIdName(field.Name))
                    foreach (var s in field.IsRepeated ? ((System.Collections.IEnumerable)value).Cast<string>() : [(string)value])
                        Add(ids, s);
            }
            else if (field.FieldType == FieldType.Message && depth < MaxDepth)
            {
                if (field.IsRepeated)
                    foreach (var item in ((System.Collections.IEnumerable)value).Cast<IMessage>()) Collect(item, ids, depth + 1);
                else if (value is IMessage nested)
                    Collect(nested, ids, depth + 1);
            }
        }
    }

    static bool IsIdName(string name) => name == "id" || (name.EndsWith("_id", StringComparison.Ordinal) && name != "request_id");

    static void Add(List<string> ids, string id)
    {
        if (id.Length == 0 || ids.Count >= MaxIds) return;
        var cut = id.Length > MaxIdLength ? id[..MaxIdLength] : id;
        if (!ids.Contains(cut, StringComparer.Ordinal)) ids.Add(cut);
    }
}
