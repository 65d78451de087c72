/// <reference lib="dom" />
/** The console bundle's entry: mounts the app into index.html's <div id="app">. */
import { render } from 'preact';
import { App } from './app.js';
import './style.css';

render(<App />, document.getElementById('app')!);
