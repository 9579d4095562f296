using Tmds.DBus.Protocol;

namespace Infra.Systemd.Manager;

/// <summary>Unit properties as the CLR values callers compare against (systemd's are all basic types or string arrays).</summary>
static class PropertyValues
{
    public static object ToClr(VariantValue v) => v.Type switch
    {
        VariantValueType.String => v.GetString(),
        VariantValueType.ObjectPath => v.GetObjectPathAsString(),
        VariantValueType.Bool => v.GetBool(),
        VariantValueType.Byte => v.GetByte(),
        VariantValueType.Int16 => v.GetInt16(),
        VariantValueType.UInt16 => v.GetUInt16(),
        VariantValueType.Int32 => v.GetInt32(),
        VariantValueType.UInt32 => v.GetUInt32(),
        VariantValueType.Int64 => v.GetInt64(),
        VariantValueType.UInt64 => v.GetUInt64(),
        VariantValueType.Double => v.GetDouble(),
        VariantValueType.Variant => ToClr(v.GetVariantValue()),
        VariantValueType.Array when v.ItemType == VariantValueType.String => v.GetArray<string>(),
        _ => v,
    };
}
