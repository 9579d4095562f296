# The two commands a newcomer needs are `make cloud` and `make test` (see README.md).
SHELL := /bin/bash
DOTNET ?= dotnet
BENCHES := Infra.Grpc.Benchmarks Infra.Store.Benchmarks Infra.Flows.Benchmarks Infra.Agent.Network.Benchmarks Infra.Agent.Vm.Benchmarks

.PHONY: build test cloud cloud-down image bench packages clean

build:
	$(DOTNET) build Infra.sln -c Release -v minimal

# Installs the system packages the tests need, then runs every test project.
test:
	bash tests/setup-host.sh
	bash tests/run-all.sh

# A single-host cloud on this machine: OVS, the controller on SQLite, the agent.
cloud:
	bash packaging/cloud/up.sh up

cloud-down:
	bash packaging/cloud/up.sh down

# The guest images, from Debian packages, cached by their inputs: out/images/infra-small.qcow2 and
# out/images/infra-debian.qcow2 (images/README.md). IMAGES="small" builds only that one.
image:
	bash images/build.sh $(IMAGES)

# Prints every benchmark table; each compares against its own baseline in the same run.
bench:
	bash tests/setup-host.sh
	for b in $(BENCHES); do $(DOTNET) run -c Release --project tests/$$b || exit 1; done

packages:
	bash packaging/deb/build.sh

clean:
	rm -rf */*/bin */*/obj out
