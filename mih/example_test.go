package mih_test

import (
	"fmt"

	"github.com/marsad/marsad/mih"
)

func ExampleParseHex() {
	h, err := mih.ParseHex("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h)
	_, err = mih.ParseHex("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b2")
	fmt.Println(err)
	// Output:
	// f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22
	// hash must be 64 hex digits, got 63 characters
}

func ExampleIndex_Radius() {
	bank := []string{
		"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22", // an image
		"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b2d", // a re-encode of it
		"0000000000000000000000000000000000000000000000000000000000000000", // something else
	}
	ix := mih.New()
	for i, s := range bank {
		h, _ := mih.ParseHex(s)
		ix.Add(uint64(i+1), h)
	}
	upload, _ := mih.ParseHex("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b20")
	for _, r := range ix.Radius(upload, 31) {
		fmt.Printf("entry %d at distance %d\n", r.ID, r.Distance)
	}
	// Output:
	// entry 1 at distance 1
	// entry 2 at distance 3
}

func ExampleIndex_Nearest() {
	ix := mih.New()
	var h mih.Hash
	for id := uint64(1); id <= 4; id++ {
		h[3] = 1<<(4*id) - 1 // id*4 bits set
		ix.Add(id, h)
	}
	fmt.Println(ix.Nearest(mih.Hash{}, 2))
	// Output:
	// [{1 4} {2 8}]
}
