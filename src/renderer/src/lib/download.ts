// Saves a URL (a data: or blob: URL the page made) as a file, the way a browser link with `download` does.
export function download(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
