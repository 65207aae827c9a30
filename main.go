// Command tppwizard registers a TPP's application with open banking banks:
// with no arguments it opens the wizard, with a sub-command it runs the
// command line.
package main

import (
	"os"

	"github.com/tppwizard/tppwizard/ui/cli"
	"github.com/tppwizard/tppwizard/ui/gui"
)

func main() {
	if len(os.Args) > 1 {
		os.Exit(cli.Main(os.Args[1:]))
	}
	gui.Run()
}
