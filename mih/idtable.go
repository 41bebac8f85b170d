package mih

import "math/bits"

// idTable maps an id to its global slot with open addressing and linear
// probing. A cell holds slot+1 (0 means empty) and the id itself is read
// back from the slot, so the table costs 4 bytes a cell (about 5.3 bytes an
// id at its fullest) instead of the 16 to 28 bytes per entry of a
// map[uint64]uint32. The cell count is not a power of two; an id's home cell
// is the high half of (mixed id × cell count).
type idTable struct {
	cells []uint32
	count int
}

// newIDTable returns a table with room for n ids at a load of at most 3/4.
func newIDTable(n int) idTable {
	return idTable{cells: make([]uint32, n*4/3+16)}
}

func (t *idTable) home(id uint64) int {
	hi, _ := bits.Mul64(id*0x9E3779B97F4A7C15, uint64(len(t.cells)))
	return int(hi)
}

func (t *idTable) next(c int) int {
	if c++; c == len(t.cells) {
		return 0
	}
	return c
}

// find returns the slot of id and the cell that holds it; idAt returns the
// id stored at a slot.
func (t *idTable) find(id uint64, idAt func(uint32) uint64) (slot uint32, cell int, ok bool) {
	if len(t.cells) == 0 {
		return 0, 0, false
	}
	for c := t.home(id); ; c = t.next(c) {
		v := t.cells[c]
		if v == 0 {
			return 0, 0, false
		}
		if idAt(v-1) == id {
			return v - 1, c, true
		}
	}
}

// cellOf returns the cell holding slot, which is filed under id.
func (t *idTable) cellOf(id uint64, slot uint32) int {
	for c := t.home(id); ; c = t.next(c) {
		if t.cells[c] == slot+1 {
			return c
		}
	}
}

// fits reports whether n more ids keep the load at or under 3/4.
func (t *idTable) fits(n int) bool {
	return (t.count+n)*4 <= len(t.cells)*3
}

// insert files slot under id, which must be absent; the table must fit it.
func (t *idTable) insert(id uint64, slot uint32) {
	c := t.home(id)
	for t.cells[c] != 0 {
		c = t.next(c)
	}
	t.cells[c] = slot + 1
	t.count++
}

// remove empties cell and shifts later cells of the same probe run back so
// that every remaining id stays reachable from its home cell.
func (t *idTable) remove(cell int, idAt func(uint32) uint64) {
	size := len(t.cells)
	hole := cell
	for c := t.next(cell); t.cells[c] != 0; c = t.next(c) {
		home := t.home(idAt(t.cells[c] - 1))
		// The entry at c may fill the hole only if its home is not in the
		// cyclic range (hole, c].
		if (c-home+size)%size >= (c-hole+size)%size {
			t.cells[hole] = t.cells[c]
			hole = c
		}
	}
	t.cells[hole] = 0
	t.count--
}

// grown returns a copy of t with room for at least n more ids: twice the
// ids it holds, or exactly enough for a batch larger than that.
func (t *idTable) grown(n int, idAt func(uint32) uint64) idTable {
	g := newIDTable(max(2*t.count, t.count+n))
	for _, v := range t.cells {
		if v != 0 {
			g.insert(idAt(v-1), v-1)
		}
	}
	return g
}

func (t *idTable) bytes() int64 { return int64(cap(t.cells)) * 4 }
