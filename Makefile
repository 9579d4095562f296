# The two commands a newcomer needs are `make cloud` and `make test` (see README.md).
SHELL := /bin/bash
DOTNET ?= dotnet
# Root is needed (OVS, taps, cgroups, apt-get); ask sudo only when not root already.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
BENCHES := Infra.Grpc.Benchmarks Infra.Store.Benchmarks Infra.Flows.Benchmarks Infra.Agent.Network.Benchmarks Infra.Agent.Vm.Benchmarks

.PHONY: build test cloud cloud-down cloud-purge image bench packages clean

build:
	$(DOTNET) build Infra.sln -c Release -v minimal

# Installs the system packages the tests need, then runs every test project.
test:
	$(SUDO) bash tests/setup-host.sh
	$(SUDO) bash tests/run-all.sh

# A single-host cloud on this machine (OVS, the controller on SQLite, the agent), then the demo: the
# small guest image, two tenants on the same 10.0.0.0/24, three VMs and the ping proof between them.
# Asks for root through sudo when not root already. Run again: it reuses what exists.
cloud:
	bash packaging/cloud/up.sh up

# Stops the controller and the agent; VMs, volumes and OVS keep running.
cloud-down:
	bash packaging/cloud/up.sh down

# Removes everything make cloud made (VMs, volumes, state, br-int, the OVS it started, infractl).
cloud-purge:
	bash packaging/cloud/up.sh purge

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
