/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of COW system shadowing, included at the end of
 * sls_shadow.c (the mm/damon way) so that they see its internals.
 *
 * The test thread gets an address space of its own (kunit_vm_mmap()),
 * writes it through copy_to_user() as an application would, and pins a
 * page with pin_user_pages_fast() as a driver setting up DMA would.  No
 * kselftest can do that: a user space pin (io_uring fixed buffers, AIO)
 * is refused at checkpoint and an O_DIRECT transfer cannot be in flight
 * while every thread is parked at the user boundary.
 */
#ifndef _MM_SLS_SHADOW_KUNIT_H
#define _MM_SLS_SHADOW_KUNIT_H

#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/uaccess.h>

#define SHADOW_TEST_PAGES	4
#define SHADOW_TEST_PINNED	1	/* the page pinned for "DMA" */

/* Write @val over page @i of @addr through the user's mapping. */
static void shadow_test_write(struct kunit *test, unsigned long addr,
			      unsigned int i, u8 val)
{
	u8 *buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, val, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)addr + i * PAGE_SIZE,
					   buf, PAGE_SIZE), 0);
	kunit_kfree(test, buf);
}

/* Whether every byte of @page is @val. */
static bool shadow_test_holds(struct page *page, u8 val)
{
	u8 *data = kmap_local_page(page);
	bool same = !memchr_inv(data, val, PAGE_SIZE);

	kunmap_local(data);
	return same;
}

/* The page @sh holds for page @i of @addr, or NULL. */
static struct page *shadow_test_find(struct sls_shadow *sh, unsigned long addr,
				     unsigned int i)
{
	unsigned long n;

	for (n = 0; n < sh->nr; n++)
		if ((sh->pages[n].addr & PAGE_MASK) == addr + i * PAGE_SIZE)
			return sh->pages[n].page;
	return NULL;
}

/* Map SHADOW_TEST_PAGES pages, page i filled with i + 1. */
static unsigned long shadow_test_map(struct kunit *test)
{
	unsigned long addr;
	unsigned int i;

	addr = kunit_vm_mmap(test, NULL, 0, SHADOW_TEST_PAGES * PAGE_SIZE,
			     PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_ASSERT_NE_MSG(test, addr, 0, "no address space for the test");
	for (i = 0; i < SHADOW_TEST_PAGES; i++)
		shadow_test_write(test, addr, i, i + 1);
	return addr;
}

/*
 * A full epoch references the pages it can share and copies the pinned
 * one; what the application writes afterwards goes to a copy of its own,
 * what DMA writes into the pinned page afterwards is not in the epoch.
 */
static void sls_shadow_pinned_test(struct kunit *test)
{
	struct sls_shadow sh = { .full = true };
	struct page *pinned, *got;
	unsigned long addr;
	unsigned int i;

	addr = shadow_test_map(test);
	KUNIT_ASSERT_EQ(test, pin_user_pages_fast(addr + SHADOW_TEST_PINNED *
						  PAGE_SIZE, 1, FOLL_WRITE,
						  &pinned), 1);
	KUNIT_EXPECT_EQ(test, sls_shadow_mm(current->mm, addr,
					    addr + SHADOW_TEST_PAGES * PAGE_SIZE,
					    &sh), 0);
	KUNIT_EXPECT_EQ(test, sh.nr, SHADOW_TEST_PAGES);
	KUNIT_EXPECT_EQ(test, sh.nr_copied, 1);
	KUNIT_EXPECT_EQ(test, sh.nr_holes, 0);

	got = shadow_test_find(&sh, addr, SHADOW_TEST_PINNED);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_EXPECT_PTR_NE(test, got, pinned);
	memset_page(pinned, 0, 0xee, PAGE_SIZE);	/* "DMA" */
	KUNIT_EXPECT_TRUE(test, shadow_test_holds(got, SHADOW_TEST_PINNED + 1));

	/* The pinned page stays the one mapped: the application sees DMA. */
	shadow_test_write(test, addr, SHADOW_TEST_PINNED, 0x55);
	KUNIT_EXPECT_TRUE(test, shadow_test_holds(pinned, 0x55));

	shadow_test_write(test, addr, 0, 0x77);
	for (i = 0; i < SHADOW_TEST_PAGES; i++) {
		got = shadow_test_find(&sh, addr, i);
		KUNIT_ASSERT_NOT_NULL(test, got);
		KUNIT_EXPECT_TRUE_MSG(test, shadow_test_holds(got, i + 1),
				      "page %u changed after the epoch", i);
	}
	sls_shadow_release(&sh);
	unpin_user_page(pinned);
}

/*
 * An incremental epoch takes the pages written since the last one, and
 * a pinned page every time: DMA may have written it without a fault.
 */
static void sls_shadow_incremental_test(struct kunit *test)
{
	struct sls_shadow first = { .full = true }, next = {};
	unsigned long addr, end;
	struct page *pinned;

	addr = shadow_test_map(test);
	end = addr + SHADOW_TEST_PAGES * PAGE_SIZE;
	KUNIT_ASSERT_EQ(test, pin_user_pages_fast(addr + SHADOW_TEST_PINNED *
						  PAGE_SIZE, 1, FOLL_WRITE,
						  &pinned), 1);
	KUNIT_EXPECT_EQ(test, sls_shadow_mm(current->mm, addr, end, &first), 0);
	sls_shadow_release(&first);

	shadow_test_write(test, addr, 3, 0x33);
	KUNIT_EXPECT_EQ(test, sls_shadow_mm(current->mm, addr, end, &next), 0);
	KUNIT_EXPECT_EQ(test, next.nr, 2);
	KUNIT_EXPECT_EQ(test, next.nr_copied, 1);
	KUNIT_EXPECT_NOT_NULL(test, shadow_test_find(&next, addr, 3));
	KUNIT_EXPECT_NOT_NULL(test, shadow_test_find(&next, addr,
						     SHADOW_TEST_PINNED));
	sls_shadow_release(&next);
	unpin_user_page(pinned);
}

static struct kunit_case sls_shadow_test_cases[] = {
	KUNIT_CASE(sls_shadow_pinned_test),
	KUNIT_CASE(sls_shadow_incremental_test),
	{}
};

static struct kunit_suite sls_shadow_test_suite = {
	.name = "sls_shadow",
	.test_cases = sls_shadow_test_cases,
};
kunit_test_suite(sls_shadow_test_suite);

#endif /* _MM_SLS_SHADOW_KUNIT_H */
