using System.Diagnostics.CodeAnalysis;

namespace AgentKit.LlamaCpp.Gguf;

/// <summary>The type of a GGUF metadata value, numbered as in the GGUF format (<c>enum gguf_type</c>).</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members name the GGUF value types, which are themselves type names.")]
public enum GgufValueType
{
    /// <summary>8-bit unsigned integer (<see cref="byte"/>).</summary>
    UInt8 = 0,

    /// <summary>8-bit signed integer (<see cref="sbyte"/>).</summary>
    Int8 = 1,

    /// <summary>16-bit unsigned integer (<see cref="ushort"/>).</summary>
    UInt16 = 2,

    /// <summary>16-bit signed integer (<see cref="short"/>).</summary>
    Int16 = 3,

    /// <summary>32-bit unsigned integer (<see cref="uint"/>).</summary>
    UInt32 = 4,

    /// <summary>32-bit signed integer (<see cref="int"/>).</summary>
    Int32 = 5,

    /// <summary>32-bit float (<see cref="float"/>).</summary>
    Float32 = 6,

    /// <summary>Boolean stored in one byte (<see cref="bool"/>).</summary>
    Bool = 7,

    /// <summary>UTF-8 string with a 64-bit length (<see cref="string"/>).</summary>
    String = 8,

    /// <summary>Array of values of one type.</summary>
    Array = 9,

    /// <summary>64-bit unsigned integer (<see cref="ulong"/>).</summary>
    UInt64 = 10,

    /// <summary>64-bit signed integer (<see cref="long"/>).</summary>
    Int64 = 11,

    /// <summary>64-bit float (<see cref="double"/>).</summary>
    Float64 = 12,
}
