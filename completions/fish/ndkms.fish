# fish completion for ndkms (and dkms, when it is ndkms); installed also as dkms.fish.

# module/version pairs: registered ones and source trees in /usr/src (under --root or NDKMS_ROOT)
function __ndkms_root
    set -l root $NDKMS_ROOT
    set -l tokens (commandline -opc)
    for i in (seq (count $tokens))
        if test "$tokens[$i]" = --root; and test $i -lt (count $tokens)
            set root $tokens[(math $i + 1)]
        else if string match -q -- '--root=*' $tokens[$i]
            set root (string replace -- '--root=' '' $tokens[$i])
        end
    end
    echo $root
end

function __ndkms_modules
    set -l root (__ndkms_root)
    begin
        for d in $root/var/lib/dkms/*/*/source
            string replace -r -- '^.*/var/lib/dkms/(.*)/source$' '$1' $d
        end
        for d in $root/usr/src/*/dkms.conf
            string replace -r -- '^.*/usr/src/(.*)-([^-/]*)/dkms.conf$' '$1/$2' $d
        end
    end | sort -u
end

function __ndkms_kernels
    set -l root (__ndkms_root)
    for d in $root/lib/modules/*
        string replace -r -- '^.*/' '' $d
    end
end

set -l __ndkms_actions add build install uninstall unbuild remove status autoinstall \
    kernel_preinst kernel_postinst kernel_prerm match mktarball ldtarball generate_mok lint \
    depmod hook weak-modules mkkmod mok doctor

for c in ndkms dkms
    complete -c $c -f
    # actions
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a add -d 'register a source tree'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a build -d 'build a module for a kernel'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a install -d 'install a built module (building it first)'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a uninstall -d 'remove a module from a kernel'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a unbuild -d 'forget a build'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a remove -d 'uninstall, unbuild and unregister'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a status -d 'what is added, built, installed'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a autoinstall -d 'build and install every AUTOINSTALL module'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a kernel_preinst -d 'before a kernel is installed'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a kernel_postinst -d 'after a kernel is installed'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a kernel_prerm -d 'before a kernel is removed'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a match -d 'install the modules of another kernel'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a mktarball -d 'archive a module'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a ldtarball -d 'load an archive'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a generate_mok -d 'create the signing key and certificate'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a lint -d 'check a dkms.conf'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a depmod -d 'write the module indexes'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a hook -d 'package manager and kernel hooks'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a weak-modules -d 'weak-updates links'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a mkkmod -d 'binary kmod packages'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a mok -d 'Secure Boot key status and enrollment'
    complete -c $c -n "not __fish_seen_subcommand_from $__ndkms_actions" -a doctor -d 'check and repair the state'
    # after an action: module/version words
    complete -c $c -n "__fish_seen_subcommand_from $__ndkms_actions; and not __fish_seen_subcommand_from hook mok" -a '(__ndkms_modules)'
    # hook TYPE VERB, mok status|enroll
    complete -c $c -n '__fish_seen_subcommand_from hook; and not __fish_seen_subcommand_from alpm rpm kernel' -a 'alpm rpm kernel'
    complete -c $c -n '__fish_seen_subcommand_from hook; and __fish_seen_subcommand_from alpm; and not __fish_seen_subcommand_from install upgrade remove preflight' -a 'install upgrade remove preflight'
    complete -c $c -n '__fish_seen_subcommand_from hook; and __fish_seen_subcommand_from rpm; and not __fish_seen_subcommand_from install remove' -a 'install remove'
    complete -c $c -n '__fish_seen_subcommand_from hook; and __fish_seen_subcommand_from kernel; and not __fish_seen_subcommand_from add remove boot-modules' -a 'add remove boot-modules'
    complete -c $c -n '__fish_seen_subcommand_from mok; and not __fish_seen_subcommand_from status enroll' -a 'status enroll'

    # options (dkms's syntax)
    complete -c $c -s m -l module -x -a '(__ndkms_modules)' -d 'module[/version]'
    complete -c $c -s v -x -d 'module version'
    complete -c $c -s k -l kernelver -x -a '(__ndkms_kernels)' -d 'kernel version'
    complete -c $c -s a -l arch -x -a '(uname -m)' -d architecture
    complete -c $c -s c -r -F -d 'dkms.conf to read'
    complete -c $c -s j -x -d 'parallel jobs'
    complete -c $c -s q -l quiet -d 'less output'
    complete -c $c -s V -l version -d 'print the version'
    complete -c $c -s h -l help -d 'print the help'
    complete -c $c -l all -d 'every kernel'
    complete -c $c -l force -d 'again, even when done'
    complete -c $c -l force-version-override -d 'install over a newer in-tree module'
    complete -c $c -l no-depmod -d 'skip depmod'
    complete -c $c -l rpm_safe_upgrade -d 'rpm upgrade-safe add and remove'
    complete -c $c -l symlink-modules -d 'link installed modules to the built ones'
    complete -c $c -l modprobe-on-install -d 'load the module after install'
    complete -c $c -l directive -x -d 'NAME=value for dkms.conf'
    complete -c $c -l root -x -a '(__fish_complete_directories)' -d 'operate on a system image'
    complete -c $c -l dkmstree -x -a '(__fish_complete_directories)' -d 'state tree'
    complete -c $c -l sourcetree -x -a '(__fish_complete_directories)' -d 'source tree'
    complete -c $c -l installtree -x -a '(__fish_complete_directories)' -d 'module install tree'
    complete -c $c -l kernelsourcedir -x -a '(__fish_complete_directories)' -d 'kernel headers'
    complete -c $c -l config -r -F -d 'kernel config'
    complete -c $c -l templatekernel -x -a '(__ndkms_kernels)' -d 'kernel to take modules from (match)'
    complete -c $c -l archive -r -F -d 'tarball (mktarball, ldtarball)'
    complete -c $c -l source-only -d 'tarball: sources only'
    complete -c $c -l binaries-only -d 'tarball: built modules only'
    complete -c $c -l json -d 'JSON output'
    complete -c $c -l verbose -d 'more output'
    complete -c $c -l repair -d 'doctor: repair what it can'
    # lint
    complete -c $c -n '__fish_seen_subcommand_from lint' -l print -d 'show what dkms sees'
    complete -c $c -n '__fish_seen_subcommand_from lint' -l allow-shell -d 'run bash where needed'
    # weak-modules
    complete -c $c -n '__fish_seen_subcommand_from weak-modules' -l add-modules -d 'modules from stdin'
    complete -c $c -n '__fish_seen_subcommand_from weak-modules' -l remove-modules -d 'modules from stdin'
    complete -c $c -n '__fish_seen_subcommand_from weak-modules' -l add-kernel -x -a '(__ndkms_kernels)'
    complete -c $c -n '__fish_seen_subcommand_from weak-modules' -l remove-kernel -x -a '(__ndkms_kernels)'
    complete -c $c -n '__fish_seen_subcommand_from weak-modules' -l dry-run -d 'print, change nothing'
    complete -c $c -n '__fish_seen_subcommand_from weak-modules' -l basedir -x -a '(__fish_complete_directories)'
    complete -c $c -n '__fish_seen_subcommand_from weak-modules' -l no-initramfs -d 'leave the initramfs'
    # mkkmod
    complete -c $c -n '__fish_seen_subcommand_from mkkmod' -l style -x -a 'fedora kabi'
    complete -c $c -n '__fish_seen_subcommand_from mkkmod' -l format -x -a 'rpm srpm pacman pkgbuild sysext'
    complete -c $c -n '__fish_seen_subcommand_from mkkmod' -l out -x -a '(__fish_complete_directories)'
    complete -c $c -n '__fish_seen_subcommand_from mkkmod' -l repo -x -a '(__fish_complete_directories)'
end
