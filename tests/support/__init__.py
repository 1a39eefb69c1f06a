"""What several test modules share (paths, a fake model server, loop helpers, reference kernels, PostgreSQL);
no test module imports another."""
