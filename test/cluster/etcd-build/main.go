// etcd for the test cluster: etcd's own server entry point, built from the
// Go module proxy at the version go.mod pins (Debian's etcd is too old).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
