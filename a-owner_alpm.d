owner_alpm.o: src/pkg/owner_alpm.c src/pkg/owner.h
src/pkg/owner.h:
