// SPDX-License-Identifier: GPL-2.0-or-later
/* greeter.c - an example module that needs hello_greet() from examples/hello. */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

int hello_greet(const char *who);

static int __init greeter_init(void)
{
	pr_info("greeter: hello_greet returned %d\n", hello_greet("greeter"));
	return 0;
}

static void __exit greeter_exit(void)
{
	pr_info("greeter: unloaded\n");
}

module_init(greeter_init);
module_exit(greeter_exit);

MODULE_DESCRIPTION("ndkms example module depending on hello");
MODULE_AUTHOR("The ndkms developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
MODULE_ALIAS("ndkms-greeter");
