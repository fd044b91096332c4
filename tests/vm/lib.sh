# shellcheck shell=bash
# Shared host-side helpers for the numaplace multi-node VM tests.
# Sourced by run-vm.sh, check-vm.sh, compare.sh, demo.sh and capture.sh.
#
# Knobs (environment):
#   NP_VM_CACHE    cache/build directory (default <repo>/build/vm)
#   NP_VM_KERNEL   use this vmlinuz instead of fetching Debian's
#   NP_VM_MODULES  space separated kernel modules to load in the guest
#                  (none are needed with Debian 12's kernel, see README)
#   NP_VM_QEMU     qemu binary (default qemu-system-x86_64)
#   NP_VM_DAEMON_DIR where numaplaced/numaplacectl are taken from
#                  (default <repo>/daemon)

NP_VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NP_REPO=$(cd "$NP_VM_DIR/../.." && pwd)
NP_VM_CACHE=${NP_VM_CACHE:-$NP_REPO/build/vm}
NP_VM_QEMU=${NP_VM_QEMU:-qemu-system-x86_64}
NP_VM_MODULES=${NP_VM_MODULES:-}
NP_VM_DAEMON_DIR=${NP_VM_DAEMON_DIR:-$NP_REPO/daemon}

np_log() { printf '[vm] %s\n' "$*" >&2; }
np_die() { printf '[vm] ERROR: %s\n' "$*" >&2; exit 2; }

# Make sure the host tools exist.  CI starts from a fresh Debian 12, so when
# running as root we install what is missing instead of failing.
np_ensure_deps() {
	local missing=() cmd
	# command -> package that provides it
	for cmd in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static \
		cpio:cpio numactl:numactl numad:numad; do
		command -v "${cmd%%:*}" >/dev/null 2>&1 || missing+=("${cmd#*:}")
	done
	# The distro "busybox" package is dynamic; we need the static one.
	if command -v busybox >/dev/null 2>&1 && ! np_is_static "$(command -v busybox)"; then
		missing+=(busybox-static)
	fi
	for cmd in cc gzip dpkg-deb apt-get ldd; do
		command -v "$cmd" >/dev/null 2>&1 || np_die "required host tool '$cmd' not found"
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		np_die "missing packages: ${missing[*]} (run: apt-get install -y ${missing[*]})"
	fi
	np_log "installing missing packages: ${missing[*]}"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y \
		qemu-system-x86 busybox-static cpio numactl numad
}

np_is_static() {
	# ldd prints "not a dynamic executable" (exit 1) for static binaries.
	! ldd "$1" >/dev/null 2>&1
}

# Fetch (once) the Debian kernel image.  linux-image-amd64 is only a
# metapackage; the real image is the linux-image-<abi>-amd64 it depends on.
# Sets NP_KERNEL and NP_KERNEL_TREE (the extracted package, for modules).
np_fetch_kernel() {
	if [ -n "${NP_VM_KERNEL:-}" ]; then
		NP_KERNEL=$NP_VM_KERNEL
		NP_KERNEL_TREE=
		return 0
	fi
	local kdir=$NP_VM_CACHE/kernel
	if [ -f "$kdir/vmlinuz" ] && [ -d "$kdir/tree" ]; then
		NP_KERNEL=$kdir/vmlinuz
		NP_KERNEL_TREE=$kdir/tree
		return 0
	fi
	mkdir -p "$kdir"
	local pkg
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: *\(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1)
	if [ -z "$pkg" ]; then
		# Package lists may be missing on a fresh machine.
		[ "$(id -u)" -eq 0 ] && apt-get update >&2
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: *\(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1)
	fi
	[ -n "$pkg" ] || np_die "cannot resolve linux-image-amd64 to a kernel package"
	np_log "fetching kernel package $pkg"
	rm -rf "$kdir/dl" "$kdir/tree.tmp"
	mkdir -p "$kdir/dl"
	# apt-get download as root warns about the _apt sandbox; harmless.
	(cd "$kdir/dl" && apt-get download "$pkg" >&2 2>/dev/null) ||
		(cd "$kdir/dl" && apt-get download "$pkg" >&2) ||
		np_die "apt-get download $pkg failed"
	dpkg-deb -x "$kdir"/dl/*.deb "$kdir/tree.tmp"
	cp "$kdir"/tree.tmp/boot/vmlinuz-* "$kdir/vmlinuz"
	cp "$kdir"/tree.tmp/boot/config-* "$kdir/config"
	mv "$kdir/tree.tmp" "$kdir/tree"
	rm -rf "$kdir/dl"
	NP_KERNEL=$kdir/vmlinuz
	NP_KERNEL_TREE=$kdir/tree
}

# Report kernel features the tests rely on (y = built in, m = module).
np_kernel_features() {
	local cfg=$NP_VM_CACHE/kernel/config opt
	[ -f "$cfg" ] || return 0
	for opt in NUMA SERIAL_8250_CONSOLE CGROUPS CPUSETS MEMCG HUGETLBFS MIGRATION \
		NUMA_BALANCING DEVTMPFS BLK_DEV_INITRD RD_GZIP TRANSPARENT_HUGEPAGE; do
		printf '%s=%s\n' "$opt" "$(sed -n "s/^CONFIG_$opt=//p" "$cfg" | head -n1)"
	done
}

np_build_workloads() {
	make -s -C "$NP_VM_DIR" OUT="$NP_VM_CACHE/workloads" >&2 ||
		np_die "building workloads failed"
}

# Copy an executable and every shared library it needs (plus the dynamic
# loader) into the staging root, keeping the paths ldd reports.
np_copy_with_libs() {
	local bin=$1 root=$2 dest=${3:-}
	[ -n "$dest" ] || dest=/usr/bin/$(basename "$bin")
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$bin" "$root$dest"
	np_is_static "$bin" && return 0
	local lib
	# ldd lines: "libx.so.1 => /lib/.../libx.so.1 (0x...)" or "/lib64/ld-linux... (0x...)"
	for lib in $(ldd "$bin" | awk '/=>/ { if ($3 ~ /^\//) print $3; next } $1 ~ /^\// { print $1 }'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# Copy kernel modules (and, via modinfo, their dependencies) into the
# initramfs; /init loads them in the order written to /etc/np-modules.
np_copy_modules() {
	local root=$1 mod
	[ -n "$NP_VM_MODULES" ] || return 0
	[ -n "${NP_KERNEL_TREE:-}" ] || np_die "NP_VM_MODULES needs the Debian kernel tree"
	local mdir
	mdir=$(echo "$NP_KERNEL_TREE"/lib/modules/*)
	mkdir -p "$root/lib/modules"
	: >"$root/etc/np-modules"
	np_add_module() {
		local name=$1 ko dep
		grep -qx "$name" "$root/etc/np-modules.seen" 2>/dev/null && return 0
		echo "$name" >>"$root/etc/np-modules.seen"
		ko=$(find "$mdir" \( -name "$name.ko" -o -name "${name//_/-}.ko" -o -name "$name.ko.xz" \) | head -n1)
		[ -n "$ko" ] || np_die "module $name not found in $mdir"
		for dep in $(modinfo -F depends "$ko" 2>/dev/null | tr ',' ' '); do
			np_add_module "$dep"
		done
		case $ko in
		*.xz) xz -dc "$ko" >"$root/lib/modules/$name.ko" ;;
		*) cp "$ko" "$root/lib/modules/$name.ko" ;;
		esac
		echo "$name" >>"$root/etc/np-modules"
	}
	for mod in $NP_VM_MODULES; do np_add_module "$mod"; done
	rm -f "$root/etc/np-modules.seen"
}

# Build the initramfs.  Prints the path of the cpio.gz.
np_build_initramfs() {
	local root=$NP_VM_CACHE/initramfs.root out=$NP_VM_CACHE/initramfs.cpio.gz
	local bb applet bin
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,var/log,var/run,np/bin,scenarios,root}

	bb=$(command -v busybox)
	np_is_static "$bb" || np_die "$bb is not static (install busybox-static)"
	cp "$bb" "$root/bin/busybox"
	for applet in $("$bb" --list); do
		[ "$applet" = busybox ] && continue
		ln -sf busybox "$root/bin/$applet"
	done

	# Host tools used as placers / pinning helpers.
	np_copy_with_libs "$(command -v numactl)" "$root"
	np_copy_with_libs "$(command -v numad)" "$root"
	np_copy_with_libs "$(command -v migratepages)" "$root"
	# util-linux taskset understands everything busybox's does and more.
	if command -v taskset >/dev/null 2>&1; then
		np_copy_with_libs "$(command -v taskset)" "$root"
	fi

	# Our workloads live in /np/bin (numactl ships its own "memhog").
	np_build_workloads
	for bin in memhog probe mapscost churner ctlping; do
		np_copy_with_libs "$NP_VM_CACHE/workloads/$bin" "$root" "/np/bin/$bin"
	done

	# The mover's throughput bench (make builds it with check-vm/compare).
	if [ -x "$NP_REPO/build/moverbench" ]; then
		np_copy_with_libs "$NP_REPO/build/moverbench" "$root" "/np/bin/moverbench"
	fi

	# The project binaries, when the top-level make has built them.
	for bin in numaplaced numaplacectl; do
		if [ -x "$NP_VM_DAEMON_DIR/$bin" ]; then
			np_copy_with_libs "$NP_VM_DAEMON_DIR/$bin" "$root" "/usr/sbin/$bin"
		else
			np_log "note: $NP_VM_DAEMON_DIR/$bin not built; scenarios needing it will FAIL"
		fi
	done

	np_copy_modules "$root"

	cp "$NP_VM_DIR/guest/init" "$root/init"
	cp "$NP_VM_DIR/guest/common.sh" "$root/scenarios/common.sh"
	cp "$NP_VM_DIR"/scenarios/*.sh "$root/scenarios/"
	chmod +x "$root/init" "$root"/scenarios/*.sh
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"

	# The kernel opens /dev/console before /init runs; devtmpfs is mounted
	# only later, so ship the node when we can create it.
	if [ "$(id -u)" -eq 0 ]; then
		mknod -m 600 "$root/dev/console" c 5 1
	fi

	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out.tmp"
	mv "$out.tmp" "$out"
	echo "$out"
}

# Build the qemu NUMA arguments into the array NP_QEMU_NUMA.
#   $1 nodes  $2 cpus per node  $3 MiB per node  $4 distance matrix ("" = default)
#   $5 how many of the last nodes have no CPUs (default 0)
# The matrix is N rows separated by ';' or newlines, e.g. "10 21;21 10"
# (or "10,21;21,10").
np_numa_args() {
	local nodes=$1 cpn=$2 mb=$3 dist=$4 cpuless=${5:-0} n i j lo hi val
	NP_QEMU_NUMA=()
	for ((n = 0; n < nodes; n++)); do
		lo=$((n * cpn))
		hi=$((lo + cpn - 1))
		NP_QEMU_NUMA+=(-object "memory-backend-ram,id=m$n,size=${mb}M")
		if [ "$n" -ge $((nodes - cpuless)) ]; then
			NP_QEMU_NUMA+=(-numa "node,nodeid=$n,memdev=m$n")
		else
			NP_QEMU_NUMA+=(-numa "node,nodeid=$n,cpus=$lo-$hi,memdev=m$n")
		fi
	done
	local rows=()
	if [ -n "$dist" ]; then
		IFS=$';\n' read -r -d '' -a rows <<<"$dist" || true
		[ ${#rows[@]} -ge "$nodes" ] || np_die "--dist needs $nodes rows, got ${#rows[@]}"
	fi
	for ((i = 0; i < nodes; i++)); do
		local row=()
		# entries by spaces or commas (a scenario's "# vm:" line has no spaces)
		[ -n "$dist" ] && read -r -a row <<<"${rows[$i]//,/ }"
		for ((j = 0; j < nodes; j++)); do
			[ "$i" -eq "$j" ] && continue
			if [ -n "$dist" ]; then
				val=${row[$j]:-}
				[ -n "$val" ] || np_die "--dist row $i has too few entries"
			elif [ $((i / 2)) -eq $((j / 2)) ]; then
				val=21 # same pair {0,1} or {2,3}
			else
				val=31
			fi
			NP_QEMU_NUMA+=(-numa "dist,src=$i,dst=$j,val=$val")
		done
	done
}

# Boot the guest.  Writes the serial log to $NP_LOG.  Returns qemu's status
# (124 on host-side timeout).
#   np_boot NODES CPN MB DIST TIMEOUT APPEND INITRD [CPULESS]
np_boot() {
	local nodes=$1 cpn=$2 mb=$3 dist=$4 timeout_s=$5 append=$6 initrd=$7 cpuless=${8:-0}
	np_numa_args "$nodes" "$cpn" "$mb" "$dist" "$cpuless"
	local smp=$(((nodes - cpuless) * cpn)) mem=$((nodes * mb))
	mkdir -p "$(dirname "$NP_LOG")"
	# -no-reboot + "poweroff -f" in the guest ends qemu; the host timeout is
	# the backstop for hangs (TCG is slow, but a 4-node boot takes ~10 s).
	timeout --foreground -k 5 "$timeout_s" "$NP_VM_QEMU" \
		-machine q35,max-ram-below-4g=${NP_VM_LOWMEM:-1536M} -accel tcg,thread=multi -cpu max \
		-smp "$smp" -m "${mem}M" "${NP_QEMU_NUMA[@]}" \
		-nographic -no-reboot \
		-net none \
		-kernel "$NP_KERNEL" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 $append" \
		</dev/null >"$NP_LOG" 2>&1
}

# Turn the serial log into a verdict.  Prints the NPVM result and metric
# lines; returns 0 only if a PASS line is present and no FAIL line.
np_verdict() {
	local log=$1 scenario=$2 lines
	# Kernel messages can land mid-line; cut everything before "NPVM:".
	lines=$(tr -d '\r' <"$log" | grep -a 'NPVM: ' | sed 's/.*\(NPVM: \)/\1/' || true)
	[ -n "$lines" ] && printf '%s\n' "$lines"
	if printf '%s\n' "$lines" | grep -q '^NPVM: FAIL'; then
		return 1
	fi
	if printf '%s\n' "$lines" | grep -q '^NPVM: PASS'; then
		return 0
	fi
	echo "NPVM: FAIL $scenario: no result line from the guest (crash or timeout); last 40 log lines:"
	tr -d '\r' <"$log" | tail -n 40 | sed 's/^/    | /'
	return 1
}
