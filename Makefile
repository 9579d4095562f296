# The two commands a newcomer needs are `make cloud` and `make test` (see README.md).
SHELL := /bin/bash
DOTNET ?= dotnet

.PHONY: build test unit cloud bench clean

build:
	$(DOTNET) build Infra.sln -c Release -v minimal

# Installs the system packages the tests need, then runs every test project.
test:
	bash tests/setup-host.sh
	$(DOTNET) test Infra.sln -c Release -v minimal --logger "console;verbosity=normal"

clean:
	rm -rf */*/bin */*/obj
