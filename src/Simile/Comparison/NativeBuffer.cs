namespace Simile.Comparison;

/// <summary>
/// An m-long ulong buffer outside the GC heap, freed (and returned to the OS) by Dispose. The rank route's
/// 8-byte-per-pair arrays live here so that a freed one does not stay committed while the next one is allocated.
/// </summary>
internal sealed unsafe class NativeBuffer(long length) : IDisposable
{
    private ulong* pointer = (ulong*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)length, sizeof(ulong));
    public long Length { get; } = length;

    public ref ulong this[long i] => ref pointer[i];

    public Span<ulong> AsSpan(int start, int length) => new(pointer + start, length);

    public void Dispose()
    {
        if (pointer is null) return;
        System.Runtime.InteropServices.NativeMemory.Free(pointer);
        pointer = null;
    }
}
