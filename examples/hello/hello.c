// SPDX-License-Identifier: GPL-2.0-or-later
/* hello.c - the example module ndkms builds in its demo and tests; exports hello_greet(). */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

int hello_greet(const char *who)
{
	pr_info("hello: greetings, %s\n", who);
	return 42;
}
EXPORT_SYMBOL_GPL(hello_greet);

static int __init hello_init(void)
{
	pr_info("hello: loaded\n");
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("hello: unloaded\n");
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_DESCRIPTION("ndkms example module");
MODULE_AUTHOR("The ndkms developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
