package mih

// idTable maps an id to its slot with open addressing and linear probing.
// A cell holds slot+1 (0 means empty) and the id itself is read from the
// slot's entry in ids, so the table costs 4 bytes a cell instead of the 16 to
// 28 bytes per entry of a map[uint64]uint32.
type idTable struct {
	cells []uint32
	shift uint // 64 - log2(len(cells))
	count int
}

// newIDTable returns a table with room for n ids at a load of at most 3/4.
func newIDTable(n int) idTable {
	size := 16
	for size*3/4 < n {
		size *= 2
	}
	shift := uint(64)
	for s := size; s > 1; s >>= 1 {
		shift--
	}
	return idTable{cells: make([]uint32, size), shift: shift}
}

// home returns the first cell probed for id (Fibonacci hashing).
func (t *idTable) home(id uint64) int {
	return int((id * 0x9E3779B97F4A7C15) >> t.shift)
}

// find returns the slot of id and the cell that holds it.
func (t *idTable) find(id uint64, ids []uint64) (slot uint32, cell int, ok bool) {
	if len(t.cells) == 0 {
		return 0, 0, false
	}
	mask := len(t.cells) - 1
	for c := t.home(id); ; c = (c + 1) & mask {
		v := t.cells[c]
		if v == 0 {
			return 0, 0, false
		}
		if ids[v-1] == id {
			return v - 1, c, true
		}
	}
}

// fits reports whether one more id keeps the load at or under 3/4.
func (t *idTable) fits() bool {
	return (t.count+1)*4 <= len(t.cells)*3
}

// insert files slot under ids[slot], which must be absent, and the table
// must fit it.
func (t *idTable) insert(slot uint32, ids []uint64) {
	mask := len(t.cells) - 1
	c := t.home(ids[slot])
	for t.cells[c] != 0 {
		c = (c + 1) & mask
	}
	t.cells[c] = slot + 1
	t.count++
}

// remove empties cell and shifts later cells of the same probe run back so
// that every remaining id stays reachable from its home cell.
func (t *idTable) remove(cell int, ids []uint64) {
	mask := len(t.cells) - 1
	hole := cell
	for c := (cell + 1) & mask; t.cells[c] != 0; c = (c + 1) & mask {
		home := t.home(ids[t.cells[c]-1])
		// The entry at c may move into the hole only if its home is not in
		// the cyclic range (hole, c].
		if (c-home)&mask >= (c-hole)&mask {
			t.cells[hole] = t.cells[c]
			hole = c
		}
	}
	t.cells[hole] = 0
	t.count--
}

// grown returns a copy of t with twice the cells, for ids in ids.
func (t *idTable) grown(ids []uint64) idTable {
	g := newIDTable(max(2*len(t.cells)*3/4, 16))
	for _, v := range t.cells {
		if v != 0 {
			g.insert(v-1, ids)
		}
	}
	return g
}

// bytes returns the memory held by the table.
func (t *idTable) bytes() int64 { return int64(cap(t.cells)) * 4 }
