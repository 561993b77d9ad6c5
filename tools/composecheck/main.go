// Command composecheck loads a Compose file the way `docker compose` does (compose-go:
// the Compose specification's schema, interpolation from the environment and env files,
// service references) and fails with the loader's message on the first problem. It is
// how the repository's docker-compose.yml is checked where no Docker engine runs
// (test/deployment/compose.test.ts).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: composecheck <compose file>")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	options, err := cli.NewProjectOptions(
		[]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithOsEnv,
		// .env beside the file, as `docker compose` reads it for interpolation.
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithName("order-platform"),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	// The resolved project, for the test to read: services, ports, healthchecks, restart policies.
	out, err := json.Marshal(project)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
