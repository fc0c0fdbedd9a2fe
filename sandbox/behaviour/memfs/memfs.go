// Package memfs is a decoy instance's root volume: an in-memory tree of
// directories and regular files that the sandbox's shell reads and writes
// instead of the host's filesystem. It outlives stop and start, as an EBS
// root volume does, and goes when the instance is terminated.
//
// Paths are absolute and slash-separated; the caller cleans them. The
// caller runs as root, so read and write permission bits are recorded but
// never refuse access; the execute bits decide whether a file can be run.
// Errors are *fs.PathError values wrapping the errno a Linux kernel would
// give (ENOENT, ENOTDIR, EISDIR, ENOTEMPTY, ENOSPC), so that a shell prints
// them as bash does.
//
// Symbolic links, hard links, ownership changes and special files are not
// modelled here; the shell maps /dev/null and friends itself.
package memfs

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultLimit is the default capacity of a volume's file contents. A
// write past it fails with ENOSPC ("No space left on device"), so a script
// that fills the disk is stopped the way a full root volume stops it.
const DefaultLimit = 64 << 20

// FS is one volume. It is safe for concurrent use.
type FS struct {
	mu    sync.Mutex
	root  *node
	used  int64
	limit int64
	now   func() time.Time
	watch func(path string)
	gen   uint64
}

type node struct {
	mode     fs.FileMode // permission bits and fs.ModeDir
	data     []byte
	children map[string]*node
	mtime    time.Time
}

// New returns an empty volume (just "/") holding at most limit bytes of
// file contents (DefaultLimit if limit <= 0). now gives the modification
// time of every change; nil means the zero time.
func New(limit int64, now func() time.Time) *FS {
	if limit <= 0 {
		limit = DefaultLimit
	}
	if now == nil {
		now = func() time.Time { return time.Time{} }
	}
	return &FS{
		root:  &node{mode: fs.ModeDir | 0o555, children: map[string]*node{}},
		limit: limit,
		now:   now,
	}
}

// Watch registers fn to be told the path of every file that is written,
// created, truncated, renamed or removed. It replaces any earlier watcher.
// fn runs with the volume unlocked.
func (f *FS) Watch(fn func(path string)) {
	f.mu.Lock()
	f.watch = fn
	f.mu.Unlock()
}

// Used is the number of bytes of file contents stored.
func (f *FS) Used() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.used
}

func pathErr(op, name string, errno syscall.Errno) error {
	return &fs.PathError{Op: op, Path: name, Err: errno}
}

// split returns the components of a clean absolute path.
func split(name string) ([]string, bool) {
	if !strings.HasPrefix(name, "/") {
		return nil, false
	}
	name = path.Clean(name)
	if name == "/" {
		return nil, true
	}
	return strings.Split(name[1:], "/"), true
}

// lookup finds the node at name. The caller holds mu. It walks the path
// without allocating, since a shell looks up every command along PATH.
func (f *FS) lookup(op, name string) (*node, error) {
	if !strings.HasPrefix(name, "/") {
		return nil, pathErr(op, name, syscall.ENOENT)
	}
	if strings.Contains(name, "/..") {
		return f.lookupClean(op, name)
	}
	n := f.root
	rest := name
	for rest != "" {
		for len(rest) > 0 && rest[0] == '/' {
			rest = rest[1:]
		}
		if rest == "" {
			break
		}
		comp := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			comp, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		if comp == "." {
			continue
		}
		if !n.mode.IsDir() {
			return nil, pathErr(op, name, syscall.ENOTDIR)
		}
		c, ok := n.children[comp]
		if !ok {
			return nil, pathErr(op, name, syscall.ENOENT)
		}
		n = c
	}
	return n, nil
}

func (f *FS) lookupClean(op, name string) (*node, error) {
	parts, _ := split(name)
	n := f.root
	for _, p := range parts {
		if !n.mode.IsDir() {
			return nil, pathErr(op, name, syscall.ENOTDIR)
		}
		c, ok := n.children[p]
		if !ok {
			return nil, pathErr(op, name, syscall.ENOENT)
		}
		n = c
	}
	return n, nil
}

// IsExecutable reports whether name is a regular file with an execute
// bit, without allocating an error when it is not.
func (f *FS) IsExecutable(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("stat", name)
	return err == nil && !n.mode.IsDir() && n.mode.Perm()&0o111 != 0
}

// Gen changes whenever anything on the volume changes, so that callers
// can cache what they derive from it.
func (f *FS) Gen() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gen
}

// parent finds the directory that holds name and name's last component.
// The caller holds mu.
func (f *FS) parent(op, name string) (*node, string, error) {
	parts, ok := split(name)
	if !ok || len(parts) == 0 {
		return nil, "", pathErr(op, name, syscall.EEXIST)
	}
	dir := f.root
	for _, p := range parts[:len(parts)-1] {
		c, ok := dir.children[p]
		if !ok {
			return nil, "", pathErr(op, name, syscall.ENOENT)
		}
		if !c.mode.IsDir() {
			return nil, "", pathErr(op, name, syscall.ENOTDIR)
		}
		dir = c
	}
	return dir, parts[len(parts)-1], nil
}

func (f *FS) notify(name string) {
	f.mu.Lock()
	f.gen++
	w := f.watch
	f.mu.Unlock()
	if w != nil {
		w(path.Clean(name))
	}
}

// Stat describes the file or directory at name.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	return newInfo(path.Base(path.Clean(name)), n), nil
}

// Mkdir creates the directory name; its parent must exist.
func (f *FS) Mkdir(name string, perm fs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	dir, base, err := f.parent("mkdir", name)
	if err != nil {
		return err
	}
	if _, ok := dir.children[base]; ok {
		return pathErr("mkdir", name, syscall.EEXIST)
	}
	now := f.now()
	dir.children[base] = &node{mode: fs.ModeDir | perm.Perm(), children: map[string]*node{}, mtime: now}
	dir.mtime = now
	f.gen++
	return nil
}

// MkdirAll creates name and every missing parent, as mkdir -p does.
func (f *FS) MkdirAll(name string, perm fs.FileMode) error {
	parts, ok := split(name)
	if !ok {
		return pathErr("mkdir", name, syscall.ENOENT)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.root
	now := f.now()
	for i, p := range parts {
		c, ok := n.children[p]
		if !ok {
			c = &node{mode: fs.ModeDir | perm.Perm(), children: map[string]*node{}, mtime: now}
			n.children[p] = c
			n.mtime = now
			f.gen++
		} else if !c.mode.IsDir() {
			return pathErr("mkdir", "/"+strings.Join(parts[:i+1], "/"), syscall.ENOTDIR)
		}
		n = c
	}
	return nil
}

// Chmod sets the permission bits of name.
func (f *FS) Chmod(name string, perm fs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("chmod", name)
	if err != nil {
		return err
	}
	n.mode = n.mode&fs.ModeType | perm&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)
	f.gen++
	return nil
}

// Touch creates name as an empty file if it does not exist and sets its
// modification time, as touch does.
func (f *FS) Touch(name string) error {
	f.mu.Lock()
	dir, base, err := f.parent("touch", name)
	if err != nil {
		f.mu.Unlock()
		return err
	}
	now := f.now()
	if n, ok := dir.children[base]; ok {
		n.mtime = now
		f.mu.Unlock()
		return nil
	}
	dir.children[base] = &node{mode: 0o644, mtime: now}
	dir.mtime = now
	f.mu.Unlock()
	f.notify(name)
	return nil
}

// ReadFile returns a copy of the contents of name.
func (f *FS) ReadFile(name string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if n.mode.IsDir() {
		return nil, pathErr("read", name, syscall.EISDIR)
	}
	return append([]byte(nil), n.data...), nil
}

// View calls fn with the contents of name without copying them. fn must not
// keep or change the slice.
func (f *FS) View(name string, fn func(data []byte, mode fs.FileMode)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("open", name)
	if err != nil {
		return err
	}
	if n.mode.IsDir() {
		return pathErr("read", name, syscall.EISDIR)
	}
	fn(n.data, n.mode)
	return nil
}

// WriteFile replaces the contents of name, creating it with perm if needed.
func (f *FS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	h, err := f.Open(name, OpenWrite|OpenCreate|OpenTruncate, perm)
	if err != nil {
		return err
	}
	_, err = h.Write(data)
	if cerr := h.Close(); err == nil {
		err = cerr
	}
	return err
}

// Remove removes the file or empty directory name.
func (f *FS) Remove(name string) error {
	f.mu.Lock()
	dir, base, err := f.parent("remove", name)
	if err != nil {
		f.mu.Unlock()
		return err
	}
	n, ok := dir.children[base]
	if !ok {
		f.mu.Unlock()
		return pathErr("remove", name, syscall.ENOENT)
	}
	if n.mode.IsDir() && len(n.children) > 0 {
		f.mu.Unlock()
		return pathErr("remove", name, syscall.ENOTEMPTY)
	}
	f.used -= int64(len(n.data))
	delete(dir.children, base)
	dir.mtime = f.now()
	f.mu.Unlock()
	f.notify(name)
	return nil
}

// RemoveAll removes name and everything under it. A missing name is not an
// error, as with rm -rf.
func (f *FS) RemoveAll(name string) error {
	f.mu.Lock()
	dir, base, err := f.parent("remove", name)
	if err != nil {
		f.mu.Unlock()
		if errors.Is(err, syscall.ENOENT) {
			return nil
		}
		return err
	}
	n, ok := dir.children[base]
	if !ok {
		f.mu.Unlock()
		return nil
	}
	var drop func(*node)
	drop = func(n *node) {
		f.used -= int64(len(n.data))
		for _, c := range n.children {
			drop(c)
		}
	}
	drop(n)
	delete(dir.children, base)
	dir.mtime = f.now()
	f.mu.Unlock()
	f.notify(name)
	return nil
}

// Rename moves oldname to newname, replacing a file there.
func (f *FS) Rename(oldname, newname string) error {
	f.mu.Lock()
	odir, obase, err := f.parent("rename", oldname)
	if err != nil {
		f.mu.Unlock()
		return err
	}
	n, ok := odir.children[obase]
	if !ok {
		f.mu.Unlock()
		return pathErr("rename", oldname, syscall.ENOENT)
	}
	ndir, nbase, err := f.parent("rename", newname)
	if err != nil {
		f.mu.Unlock()
		return err
	}
	if old, ok := ndir.children[nbase]; ok {
		if old == n {
			f.mu.Unlock()
			return nil
		}
		if old.mode.IsDir() != n.mode.IsDir() || (old.mode.IsDir() && len(old.children) > 0) {
			f.mu.Unlock()
			return pathErr("rename", newname, syscall.EEXIST)
		}
		f.used -= int64(len(old.data))
	}
	if n.mode.IsDir() && strings.HasPrefix(path.Clean(newname)+"/", path.Clean(oldname)+"/") {
		f.mu.Unlock()
		return pathErr("rename", newname, syscall.EINVAL)
	}
	delete(odir.children, obase)
	ndir.children[nbase] = n
	now := f.now()
	odir.mtime, ndir.mtime = now, now
	f.mu.Unlock()
	f.notify(oldname)
	f.notify(newname)
	return nil
}

// ReadDir lists the directory name, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if !n.mode.IsDir() {
		return nil, pathErr("readdirent", name, syscall.ENOTDIR)
	}
	out := make([]fs.DirEntry, 0, len(n.children))
	for k, c := range n.children {
		out = append(out, fs.FileInfoToDirEntry(newInfo(k, c)))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// Open flags.
const (
	OpenRead      = 1 << iota // reading
	OpenWrite                 // writing
	OpenCreate                // create if missing
	OpenTruncate              // empty the file on open
	OpenAppend                // every write appends
	OpenExclusive             // fail if it exists (with OpenCreate)
)

// Open opens name. A file created by Open gets perm.
func (f *FS) Open(name string, flags int, perm fs.FileMode) (*Handle, error) {
	f.mu.Lock()
	n, err := f.lookup("open", name)
	created := false
	switch {
	case err == nil:
		if flags&OpenCreate != 0 && flags&OpenExclusive != 0 {
			f.mu.Unlock()
			return nil, pathErr("open", name, syscall.EEXIST)
		}
		if n.mode.IsDir() && flags&OpenWrite != 0 {
			f.mu.Unlock()
			return nil, pathErr("open", name, syscall.EISDIR)
		}
	case errors.Is(err, syscall.ENOENT) && flags&OpenCreate != 0:
		dir, base, perr := f.parent("open", name)
		if perr != nil {
			f.mu.Unlock()
			return nil, perr
		}
		n = &node{mode: perm.Perm(), mtime: f.now()}
		dir.children[base] = n
		dir.mtime = n.mtime
		created = true
	default:
		f.mu.Unlock()
		return nil, err
	}
	truncated := false
	if flags&OpenTruncate != 0 && flags&OpenWrite != 0 && len(n.data) > 0 {
		f.used -= int64(len(n.data))
		n.data = nil
		n.mtime = f.now()
		truncated = true
	}
	h := &Handle{fs: f, n: n, name: path.Clean(name), flags: flags, Created: created, Truncated: truncated}
	f.mu.Unlock()
	if created || truncated {
		f.notify(name)
	}
	return h, nil
}

// Handle is an open file.
type Handle struct {
	fs     *FS
	n      *node
	name   string
	flags  int
	off    int
	closed bool

	// Created and Truncated say what Open did.
	Created, Truncated bool
	// Written counts the bytes written through this handle.
	Written int64
}

// Name is the file's clean path.
func (h *Handle) Name() string { return h.name }

// Read reads from the current offset.
func (h *Handle) Read(p []byte) (int, error) {
	if h.flags&OpenRead == 0 {
		return 0, pathErr("read", h.name, syscall.EBADF)
	}
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if h.n.mode.IsDir() {
		return 0, pathErr("read", h.name, syscall.EISDIR)
	}
	if h.off >= len(h.n.data) {
		return 0, io.EOF
	}
	k := copy(p, h.n.data[h.off:])
	h.off += k
	return k, nil
}

// Write writes at the offset, or at the end with OpenAppend.
func (h *Handle) Write(p []byte) (int, error) {
	if h.flags&OpenWrite == 0 {
		return 0, pathErr("write", h.name, syscall.EBADF)
	}
	h.fs.mu.Lock()
	n := h.n
	if h.flags&OpenAppend != 0 {
		h.off = len(n.data)
	}
	grow := int64(h.off+len(p)) - int64(len(n.data))
	if grow > 0 && h.fs.used+grow > h.fs.limit {
		h.fs.mu.Unlock()
		return 0, pathErr("write", h.name, syscall.ENOSPC)
	}
	if grow > 0 {
		n.data = append(n.data, make([]byte, grow)...)
		h.fs.used += grow
	}
	copy(n.data[h.off:], p)
	h.off += len(p)
	h.Written += int64(len(p))
	n.mtime = h.fs.now()
	h.fs.mu.Unlock()
	if len(p) > 0 {
		h.fs.notify(h.name)
	}
	return len(p), nil
}

// Close closes the handle.
func (h *Handle) Close() error {
	h.closed = true
	return nil
}

// info is a snapshot of a node, taken under the lock.
type info struct {
	name  string
	mode  fs.FileMode
	mtime time.Time
	size  int64
}

func newInfo(name string, n *node) info {
	return info{name: name, mode: n.mode, mtime: n.mtime, size: int64(len(n.data))}
}

func (i info) Name() string       { return i.name }
func (i info) Size() int64        { return i.size }
func (i info) Mode() fs.FileMode  { return i.mode }
func (i info) ModTime() time.Time { return i.mtime }
func (i info) IsDir() bool        { return i.mode.IsDir() }
func (i info) Sys() any           { return nil }
