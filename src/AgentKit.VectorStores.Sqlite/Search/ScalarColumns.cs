namespace AgentKit.VectorStores.Sqlite.Search;

/// <summary>What one <see cref="ScalarColumn"/> holds, decided by the values SQLite returned for it.</summary>
internal enum ScalarKind
{
    /// <summary>No value yet other than NULL: every slot is null.</summary>
    Empty,

    /// <summary>Every non-null value is an INTEGER (<see cref="long"/>).</summary>
    Integer,

    /// <summary>Every non-null value is a REAL (<see cref="double"/>).</summary>
    Real,

    /// <summary>Every non-null value is TEXT (<see cref="string"/>).</summary>
    Text,

    /// <summary>Values of several storage classes (or BLOBs): filters over the column run in SQL until the next reload.</summary>
    Unavailable,
}

/// <summary>
/// The values of one indexed data column, by cache slot, exactly as SQLite returned them (so that an in-memory filter
/// sees what the SQL filter would): a typed array for the column's one storage class and a bitmap of the slots
/// holding a non-null value. Dead slots keep stale values; evaluations mask them with the cache's live slots.
/// </summary>
internal sealed class ScalarColumn
{
    private const long BytesPerString = 32;
    private long[]? _integers;
    private double[]? _reals;
    private string?[]? _texts;
    private long _textBytes;

    internal ScalarColumn(string name, int capacity)
    {
        Name = name;
        Present = new SlotBitmap(capacity);
        Capacity = capacity;
    }

    /// <summary>The column's storage name.</summary>
    internal string Name { get; }

    internal ScalarKind Kind { get; private set; }

    /// <summary>The slots holding a non-null value.</summary>
    internal SlotBitmap Present { get; }

    internal int Capacity { get; private set; }

    /// <summary>The values of an <see cref="ScalarKind.Integer"/> column, by slot (meaningful where <see cref="Present"/>).</summary>
    internal long[] Integers => _integers!;

    /// <summary>The values of a <see cref="ScalarKind.Real"/> column, by slot.</summary>
    internal double[] Reals => _reals!;

    /// <summary>The values of a <see cref="ScalarKind.Text"/> column, by slot.</summary>
    internal string?[] Texts => _texts!;

    /// <summary>Approximate memory taken: 8 bytes per slot for numbers, a reference plus the string for text, the null bitmap.</summary>
    internal long Bytes => (Capacity / 8) + Kind switch
    {
        ScalarKind.Integer or ScalarKind.Real => Capacity * 8L,
        ScalarKind.Text => (Capacity * 8L) + _textBytes,
        _ => 0,
    };

    internal void Resize(int capacity)
    {
        if (_integers is not null)
        {
            Array.Resize(ref _integers, capacity);
        }

        if (_reals is not null)
        {
            Array.Resize(ref _reals, capacity);
        }

        if (_texts is not null)
        {
            Array.Resize(ref _texts, capacity);
        }

        Present.EnsureCapacity(capacity);
        Capacity = capacity;
    }

    /// <summary>Sets a slot's value as read from SQLite: <see cref="DBNull"/> or null, <see cref="long"/>, <see cref="double"/>, <see cref="string"/>; anything else makes the column unavailable.</summary>
    internal void Set(int slot, object? value)
    {
        if (Kind == ScalarKind.Unavailable)
        {
            return;
        }

        ForgetText(slot);
        if (value is null or DBNull)
        {
            Present.Clear(slot);
            return;
        }

        var kind = value switch
        {
            long => ScalarKind.Integer,
            double => ScalarKind.Real,
            string => ScalarKind.Text,
            _ => ScalarKind.Unavailable,
        };
        if (Kind == ScalarKind.Empty && kind != ScalarKind.Unavailable)
        {
            Allocate(kind);
        }
        else if (kind != Kind)
        {
            MakeUnavailable();
            return;
        }

        switch (value)
        {
            case long integer:
                _integers![slot] = integer;
                break;
            case double real:
                _reals![slot] = real;
                break;
            default:
                var text = (string)value;
                _texts![slot] = text;
                _textBytes += (text.Length * 2L) + BytesPerString;
                break;
        }

        Present.Set(slot);
    }

    /// <summary>Copies the value of slot <paramref name="from"/> to slot <paramref name="to"/> (compaction moves slots down).</summary>
    internal void Move(int from, int to)
    {
        if (Kind == ScalarKind.Unavailable)
        {
            return;
        }

        ForgetText(to);
        if (!Present.Contains(from))
        {
            Present.Clear(to);
            return;
        }

        switch (Kind)
        {
            case ScalarKind.Integer:
                _integers![to] = _integers[from];
                break;
            case ScalarKind.Real:
                _reals![to] = _reals[from];
                break;
            case ScalarKind.Text:
                _texts![to] = _texts[from];
                _texts[from] = null;
                break;
        }

        Present.Set(to);
        Present.Clear(from);
    }

    /// <summary>Stops keeping values: filters over the column run in SQL until the cache is reloaded.</summary>
    internal void MakeUnavailable()
    {
        Kind = ScalarKind.Unavailable;
        _integers = null;
        _reals = null;
        _texts = null;
        _textBytes = 0;
        Present.ClearAll();
    }

    private void Allocate(ScalarKind kind)
    {
        Kind = kind;
        switch (kind)
        {
            case ScalarKind.Integer:
                _integers = new long[Capacity];
                break;
            case ScalarKind.Real:
                _reals = new double[Capacity];
                break;
            default:
                _texts = new string?[Capacity];
                break;
        }
    }

    private void ForgetText(int slot)
    {
        if (_texts is not null && _texts[slot] is { } old)
        {
            _textBytes -= (old.Length * 2L) + BytesPerString;
            _texts[slot] = null;
        }
    }
}

/// <summary>
/// The indexed scalar data columns of a collection, by the slots of a <see cref="VectorCache"/>, which keeps them
/// aligned with its vectors (append, compaction, growth). Not thread-safe; <see cref="VectorIndex"/> guards it.
/// </summary>
internal sealed class ScalarColumns
{
    /// <summary>The estimated bytes one slot of one column takes, for the cache budget before the values are known.</summary>
    internal const long EstimatedBytesPerSlot = 9;

    private readonly ScalarColumn[] _columns;

    /// <param name="names">The columns' storage names, in the order values are given to <see cref="Set"/>.</param>
    /// <param name="capacity">The cache's slot capacity.</param>
    internal ScalarColumns(IReadOnlyList<string> names, int capacity)
        => _columns = [.. names.Select(name => new ScalarColumn(name, capacity))];

    internal IReadOnlyList<ScalarColumn> Columns => _columns;

    internal long Bytes => _columns.Sum(c => c.Bytes);

    /// <summary>The column with this storage name; null when it is not kept.</summary>
    internal ScalarColumn? Find(string name) => Array.Find(_columns, c => c.Name == name);

    internal void Resize(int capacity)
    {
        foreach (var column in _columns)
        {
            column.Resize(capacity);
        }
    }

    /// <summary>Sets every column's value of a slot; <paramref name="values"/> in the order of the names.</summary>
    internal void Set(int slot, ReadOnlySpan<object?> values)
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            _columns[i].Set(slot, values[i]);
        }
    }

    /// <summary>Sets every column of a slot to null (a new slot, before its values are set).</summary>
    internal void Reset(int slot)
    {
        foreach (var column in _columns)
        {
            column.Set(slot, null);
        }
    }

    internal void Move(int from, int to)
    {
        foreach (var column in _columns)
        {
            column.Move(from, to);
        }
    }

    /// <summary>Makes every column unavailable (a written slot whose values were not read).</summary>
    internal void MakeUnavailable()
    {
        foreach (var column in _columns)
        {
            column.MakeUnavailable();
        }
    }
}
