package wallet_test

import (
	"fmt"

	"github.com/marsad/marsad/wallet"
)

func ExampleFind() {
	text := "تبرعوا عبر USDT (TRC20): TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t أو BTC: BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4 " +
		"ETH 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed — not 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD (bad checksum)"
	for _, a := range wallet.Find(text) {
		fmt.Println(a)
	}
	// Output:
	// trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t
	// btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4
	// eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed
}

func ExampleValidate() {
	fmt.Println(wallet.Validate("btc", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"))
	fmt.Println(wallet.Validate("eth", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"))
	fmt.Println(wallet.Validate("btc", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"))
	// Output:
	// btc address "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb": base58check: checksum mismatch
	// eth address "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD": EIP-55: case of 'D' at position 42: checksum mismatch
	// btc address "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7": segwit: "tb" is a test network
}
