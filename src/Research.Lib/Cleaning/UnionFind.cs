namespace Research.Lib.Cleaning;

/// <summary>Disjoint sets over 0..n-1 with path halving; the smaller index becomes the root, so a set's root is its first member.</summary>
internal sealed class UnionFind
{
    private readonly int[] _parent;
    private readonly int[] _size;

    public UnionFind(int n)
    {
        _parent = Enumerable.Range(0, n).ToArray();
        _size = Enumerable.Repeat(1, n).ToArray();
    }

    public int Find(int x)
    {
        while (_parent[x] != x)
        {
            _parent[x] = _parent[_parent[x]];
            x = _parent[x];
        }
        return x;
    }

    public void Union(int a, int b)
    {
        var (ra, rb) = (Find(a), Find(b));
        if (ra == rb) return;
        if (rb < ra) (ra, rb) = (rb, ra);
        _parent[rb] = ra;
        _size[ra] += _size[rb];
    }

    public int Size(int x) => _size[Find(x)];
}
